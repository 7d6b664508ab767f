using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Agent.Restart;

/// <summary>What this host has of a VM before an order acts: its definition, libvirt state and QEMU process, or a clash.</summary>
/// <param name="PreviousXml">The persistent definition before the order (restored if a start fails); null when not defined.</param>
/// <param name="Conflict">Another domain holds the name or the UUID.</param>
internal sealed record DomainInspection(bool Defined, DomainState? State, int? QemuPid, string? PreviousXml, string? Conflict)
{
    /// <summary>Running as far as a volume is concerned: anything but shut off holds its disks open, and so does a live QEMU.</summary>
    public bool Live => (Defined && State != DomainState.ShutOff) || QemuPid is not null;

    public override string ToString() =>
        Conflict ?? (Defined ? $"defined, {State}" : "not defined") + (QemuPid is { } pid ? $", QEMU pid {pid}" : "");
}
