namespace HaAgent.Agent.Fencing;

/// <summary>One failed step: what kind, which target and step, and the storage's own words.</summary>
internal sealed record FenceFailure(FenceFailureKind Kind, string Target, string Step, string Detail)
{
    public override string ToString() => $"{Kind} at {Step} on {Target}: {Detail}";
}
