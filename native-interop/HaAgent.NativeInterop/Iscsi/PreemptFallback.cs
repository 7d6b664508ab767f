namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// The PREEMPT AND ABORT → PREEMPT fallback rule, kept apart from I/O so both answers can be tested: tgt refuses
/// service action 5 while LIO and arrays accept it.
/// </summary>
public static class PreemptFallback
{
    public static PreemptAndAbortDecision Decide(ScsiOutcome preemptAndAbortAnswer) => preemptAndAbortAnswer switch
    {
        { IsGood: true } => PreemptAndAbortDecision.Done,
        // Any ILLEGAL REQUEST: if the parameters were at fault, PREEMPT reports the same and the fence fails there.
        { IsIllegalRequest: true } => PreemptAndAbortDecision.FallBackToPreempt,
        { IsUnitAttention: true } => PreemptAndAbortDecision.Retry,
        _ => PreemptAndAbortDecision.Fail,
    };
}
