using HaAgent.Testing.Libvirt;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>Domain XML for libvirt's test driver with file disks (the test driver never opens them).</summary>
internal static class TestDriverVms
{
    public static string Xml(string name, Guid uuid, params string[] disks) => LibvirtTestNode.DomainXml(name, uuid, disks);
}
