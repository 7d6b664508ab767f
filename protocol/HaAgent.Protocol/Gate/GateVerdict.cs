namespace HaAgent.Protocol.Gate;

public enum GateVerdict
{
    /// <summary>Persist <see cref="OrderAdmission.StateToPersist"/>, then act, then call <see cref="OrderGate.Complete"/>.</summary>
    Accepted = 1,

    /// <summary>Accepted before a restart and never finished: act again (orders are idempotent), then complete.</summary>
    Resumed = 2,

    /// <summary>Finished already; answer with <see cref="OrderAdmission.RememberedResultId"/>, do nothing.</summary>
    AlreadyDone = 3,

    /// <summary>Being executed right now; ignore the retry.</summary>
    InProgress = 4,

    /// <summary>Below the highest stamp obeyed (an older leader, or a late duplicate); do nothing.</summary>
    Stale = 5,

    /// <summary>A start while self-fenced; do nothing until an unfence succeeds.</summary>
    SelfFenced = 6,

    /// <summary>Same stamp as a known order but another order id: a leader never reuses a stamp; do nothing.</summary>
    Conflicting = 7,
}
