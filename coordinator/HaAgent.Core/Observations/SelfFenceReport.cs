namespace HaAgent.Core.Observations;

/// <summary>
/// A host's agent killed its HA VMs and stays off their volumes (its watchdog fired, or it lost the coordinator). It
/// travels in the storage heartbeat record, so it arrives even when the host's network is cut. The agent's side of the
/// contract: from this report on it refuses every start until an <see cref="Env.UnfenceOrder"/> tells it to rejoin.
/// </summary>
public sealed record SelfFenceReport(DateTimeOffset At, string HostId, long Incarnation, IReadOnlyList<string> StoppedVmIds)
    : Observation(At);
