namespace HaAgent.Agent.Fencing;

/// <summary>The answer to an unfence order; <see cref="Proofs"/> hold the read-backs (entries gone, own key registered).</summary>
internal sealed record UnfenceReport(string UnfenceId, long Token, IReadOnlyList<FenceProof> Proofs, IReadOnlyList<FenceFailure> Failures)
{
    public bool Succeeded => Failures.Count == 0;
}
