namespace HaAgent.NativeInterop.Iscsi;

/// <summary>What to do after the target answered PREEMPT AND ABORT.</summary>
public enum PreemptAndAbortDecision
{
    /// <summary>GOOD: the victim is unregistered and its queued commands aborted.</summary>
    Done,
    /// <summary>ILLEGAL REQUEST: the target does not implement service action 5 (tgt: 24/00); send PREEMPT.</summary>
    FallBackToPreempt,
    /// <summary>UNIT ATTENTION: the command was not executed because of an earlier state change; send it again.</summary>
    Retry,
    /// <summary>Anything else (e.g. RESERVATION CONFLICT: the fencer itself is not registered): the fence failed.</summary>
    Fail,
}
