namespace HaAgent.Agent.Fencing;

/// <summary>PREEMPT (AND ABORT) <see cref="VictimKey"/> on one LUN. A null <see cref="Portal"/> takes the configured portals in order.</summary>
internal sealed record IscsiFenceTarget(string? Portal, string TargetIqn, int Lun, ulong VictimKey) : FenceTargetSpec
{
    public override string ToString() => $"iscsi-preempt {Portal ?? "*"}/{TargetIqn}/{Lun} key=0x{VictimKey:X16}";
}
