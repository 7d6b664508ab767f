namespace HaAgent.Core.Observations;

/// <summary>A peer's report on a fence order. <paramref name="Token"/> echoes the order's; <paramref name="Error"/> is set when it failed.</summary>
public sealed record FenceResult(
    DateTimeOffset At,
    string FenceId,
    long Token,
    string VictimHostId,
    string ExecutorHostId,
    bool Succeeded,
    string? Error,
    IReadOnlyList<FenceEvidence> Evidence) : Observation(At);
