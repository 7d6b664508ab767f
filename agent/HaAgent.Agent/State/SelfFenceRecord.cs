namespace HaAgent.Agent.State;

/// <summary>The agent destroyed its HA VMs because it lost the coordinator; reported when contact returns.</summary>
/// <param name="Killed">VMs whose QEMU needed SIGKILL after virDomainDestroy did not end them in time.</param>
internal sealed record SelfFenceRecord(
    DateTimeOffset At,
    long Incarnation,
    string Reason,
    IReadOnlyList<string> StoppedVms,
    IReadOnlyList<string> Killed,
    IReadOnlyList<string> Failed);
