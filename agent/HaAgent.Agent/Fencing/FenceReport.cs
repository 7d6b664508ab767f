namespace HaAgent.Agent.Fencing;

/// <summary>
/// The executor's answer to a fence order. <see cref="Succeeded"/> only when every target was acted on and proven;
/// proofs of the targets that did succeed are kept even when another failed.
/// </summary>
internal sealed record FenceReport(
    string FenceId,
    long Token,
    string VictimHostId,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    IReadOnlyList<FenceProof> Proofs,
    IReadOnlyList<FenceFailure> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}
