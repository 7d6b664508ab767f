namespace HaAgent.Core.Observations;

/// <summary>An agent's report on a start order.</summary>
public sealed record VmStartResult(DateTimeOffset At, long Token, string VmId, string HostId, bool Succeeded, string? Error)
    : Observation(At);
