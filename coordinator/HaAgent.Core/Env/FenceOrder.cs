namespace HaAgent.Core.Env;

/// <summary>An order to a healthy peer's agent to cut the victim off its volumes.</summary>
/// <param name="FenceId">Names this attempt; a result for another attempt is superseded.</param>
/// <param name="Token">The coordinator epoch (fencing token); agents refuse older tokens.</param>
public sealed record FenceOrder(
    string FenceId,
    long Token,
    string VictimHostId,
    string ExecutorHostId,
    IReadOnlyList<FenceTarget> Targets);
