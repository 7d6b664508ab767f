namespace HaAgent.Core.Observations;

/// <summary>An agent's report on a stop order; success means the VM process is gone.</summary>
public sealed record VmStopResult(DateTimeOffset At, long Token, string VmId, string HostId, bool Succeeded, string? Error)
    : Observation(At);
