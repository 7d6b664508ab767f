namespace HaAgent.Core.Observations;

/// <summary>
/// A host's agent killed its HA VMs and stays off their volumes (its watchdog fired, or it lost the coordinator). It
/// travels in the storage heartbeat record, so it arrives even when the host's network is cut.
/// </summary>
public sealed record SelfFenceReport(DateTimeOffset At, string HostId, long Incarnation, IReadOnlyList<string> StoppedVmIds)
    : Observation(At);
