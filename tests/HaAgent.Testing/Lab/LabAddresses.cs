namespace HaAgent.Testing.Lab;

/// <summary>
/// The lab's fixed addresses. Every lab has its own bridge and namespaces, so two labs on one machine reuse the same
/// addresses without meeting. All are loopback-range; inside the namespaces lo carries only 127.0.0.1/32, so 127.99/16
/// is routed over eth0 and the bridge.
/// </summary>
public static class LabAddresses
{
    public const string Network = "127.99.0.0/16";

    public const int PrefixLength = 16;

    /// <summary>The storage namespace: Ceph mon and OSD (and, in the full scenario, the coordinator).</summary>
    public const string Storage = "127.99.0.1";

    public const int CephMonPort = 3300;

    /// <summary>Host hN is 127.99.N.1.</summary>
    public static string Host(int number) => $"127.99.{number}.1";
}
