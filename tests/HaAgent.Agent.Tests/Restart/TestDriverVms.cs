using System.Security;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>Domain XML for libvirt's test driver with file disks (the test driver never opens them).</summary>
internal static class TestDriverVms
{
    public static string Xml(string name, Guid uuid, params string[] disks)
    {
        var devices = string.Concat(disks.Select((d, i) =>
            $"<disk type=\"file\" device=\"disk\"><source file=\"{SecurityElement.Escape(d)}\"/><target dev=\"vd{(char)('a' + i)}\" bus=\"virtio\"/></disk>"));
        return $"""
            <domain type="test">
              <name>{SecurityElement.Escape(name)}</name>
              <uuid>{uuid:D}</uuid>
              <memory unit="KiB">65536</memory>
              <vcpu>1</vcpu>
              <os><type arch="x86_64">hvm</type></os>
              <devices>{devices}</devices>
            </domain>
            """;
    }
}
