namespace HaAgent.Protocol.Gate;

/// <param name="StateToPersist">Set for <see cref="GateVerdict.Accepted"/>: durably store it before acting.</param>
public sealed record OrderAdmission(GateVerdict Verdict, string? RememberedResultId, OrderGateState? StateToPersist)
{
    public bool MayAct => Verdict is GateVerdict.Accepted or GateVerdict.Resumed;
}
