namespace HaAgent.Core.Observations;

/// <summary>The HA-managed VMs a host's agent sees running right now (a full list, not a delta).</summary>
public sealed record VmReport(DateTimeOffset At, string HostId, long Incarnation, IReadOnlyList<string> RunningVmIds) : Observation(At);
