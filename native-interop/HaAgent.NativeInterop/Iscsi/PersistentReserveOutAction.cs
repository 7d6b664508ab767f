namespace HaAgent.NativeInterop.Iscsi;

/// <summary>PERSISTENT RESERVE OUT service actions, values as on the wire.</summary>
public enum PersistentReserveOutAction
{
    Register = 0,
    Reserve = 1,
    Release = 2,
    Clear = 3,
    Preempt = 4,
    PreemptAndAbort = 5,
    RegisterAndIgnoreExistingKey = 6,
}
