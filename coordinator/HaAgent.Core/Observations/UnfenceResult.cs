namespace HaAgent.Core.Observations;

/// <summary>A returning host's report on lifting its own fence.</summary>
public sealed record UnfenceResult(DateTimeOffset At, string UnfenceId, long Token, string HostId, bool Succeeded, string? Error)
    : Observation(At);
