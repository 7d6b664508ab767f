namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// What <see cref="IscsiSession.PreemptAndAbortOrPreempt"/> did. <see cref="Used"/> says which service action removed
/// the victim; with plain PREEMPT the victim's commands already queued in the target were not aborted.
/// </summary>
public sealed record PreemptResult(PersistentReserveOutAction Used, ScsiOutcome PreemptAndAbortAnswer)
{
    public bool FellBackToPreempt => Used == PersistentReserveOutAction.Preempt;
}
