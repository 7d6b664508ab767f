namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// RESERVATION CONFLICT (status 0x18): another nexus holds a persistent reservation that excludes this one, or this
/// nexus is not registered. For a fenced host this is the proof that its write did not land.
/// </summary>
public sealed class ReservationConflictException : ScsiCommandException
{
    public ReservationConflictException(string function, ScsiOutcome outcome)
        : base(function, outcome)
    {
    }
}
