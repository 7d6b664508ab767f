namespace HaAgent.Core.Env;

/// <summary>PREEMPT AND ABORT the victim's registration key on one LUN, issued by a peer registered on that LUN.</summary>
public sealed record IscsiPreemptTarget(string Target, int Lun, string VictimKey) : FenceTarget
{
    public override string ToString() => $"iscsi-preempt {Target}/{Lun} key={VictimKey}";
}
