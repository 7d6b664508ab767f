namespace HaAgent.Agent.Restart;

/// <summary>The failed or refusing step of a start or stop.</summary>
internal sealed record VmOrderFailure(VmOrderFailureKind Kind, string Step, string Detail)
{
    public override string ToString() => $"{Kind} at {Step}: {Detail}";
}
