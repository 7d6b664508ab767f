namespace HaAgent.Agent.Configuration;

internal sealed class LibvirtAgentOptions
{
    /// <summary>The hypervisor connection; never left to libvirt's guess.</summary>
    public string Uri { get; set; } = "qemu:///system";

    /// <summary>Domains whose name starts with this are HA-managed (self-fence destroys them); empty means every domain.</summary>
    public string ManagedDomainPrefix { get; set; } = "";

    /// <summary>libvirt's QEMU pid-file directory (system: /run/libvirt/qemu); null finds QEMU by its -uuid argument in /proc.</summary>
    public string? QemuPidDirectory { get; set; } = "/run/libvirt/qemu";

    /// <summary>Bound on opening the connection: virConnectOpen has no timeout of its own.</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
