namespace HaAgent.Agent.Fencing;

/// <summary>A LUN on which this host registers its own key again (REGISTER AND IGNORE EXISTING KEY).</summary>
internal sealed record IscsiUnfenceTarget(string? Portal, string TargetIqn, int Lun)
{
    public override string ToString() => $"iscsi-register {Portal ?? "*"}/{TargetIqn}/{Lun}";
}
