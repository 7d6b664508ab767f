namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// CHECK CONDITION / UNIT ATTENTION: the target reports a state change (e.g. 2A/03 reservations preempted) once
/// per nexus and did not execute the command. Retrying once is the usual answer.
/// </summary>
public sealed class UnitAttentionException : ScsiCommandException
{
    public UnitAttentionException(string function, ScsiOutcome outcome)
        : base(function, outcome)
    {
    }
}
