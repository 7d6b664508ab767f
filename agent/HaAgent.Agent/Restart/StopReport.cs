namespace HaAgent.Agent.Restart;

/// <summary>
/// The agent's answer to a <see cref="StopCommand"/>. <see cref="Succeeded"/> only when the VM is proven not running:
/// its QEMU process gone (pidfd) or, with no QEMU known, libvirt saying shut off.
/// </summary>
/// <param name="WasRunning">False when the VM was already off or not defined here (a successful no-op).</param>
/// <param name="Killed">virDomainDestroy did not end QEMU within the grace; SIGKILL through its pidfd did.</param>
internal sealed record StopReport(
    string CommandId,
    long Token,
    string VmName,
    Guid VmUuid,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    IReadOnlyList<VmStep> Steps,
    VmOrderFailure? Failure,
    bool WasRunning,
    bool Killed,
    bool Repeated)
{
    public bool Succeeded => Failure is null;
}
