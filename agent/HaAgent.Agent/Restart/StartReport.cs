namespace HaAgent.Agent.Restart;

/// <summary>
/// The agent's answer to a <see cref="StartCommand"/>. <see cref="Succeeded"/> only when libvirt says running and, for a
/// QEMU domain, its QEMU process is alive (<see cref="QemuPid"/>).
/// </summary>
/// <param name="Repeated">This is the stored report of an earlier execution of the same command id: nothing was done now.</param>
/// <param name="CleanedUp">After a failed start: the VM is not running and the definition is as it was before the order.</param>
internal sealed record StartReport(
    string CommandId,
    long Token,
    string VmName,
    Guid VmUuid,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    IReadOnlyList<VmStep> Steps,
    VmOrderFailure? Failure,
    int? QemuPid,
    bool CleanedUp,
    bool Repeated)
{
    public bool Succeeded => Failure is null;
}
