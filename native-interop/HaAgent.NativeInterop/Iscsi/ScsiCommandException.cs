namespace HaAgent.NativeInterop.Iscsi;

/// <summary>The target completed a command with a status other than GOOD. The command did not take effect.</summary>
public class ScsiCommandException : NativeCallException
{
    public ScsiCommandException(string function, ScsiOutcome outcome)
        : base(function, outcome.ToString())
    {
        Outcome = outcome;
    }

    public ScsiOutcome Outcome { get; }

    public ScsiStatus Status => Outcome.Status;

    public ScsiSenseKey SenseKey => Outcome.SenseKey;

    public byte Asc => Outcome.Asc;

    public byte Ascq => Outcome.Ascq;

    /// <summary>The most specific exception for <paramref name="outcome"/>: callers catch exactly what they can act on.</summary>
    public static ScsiCommandException For(string function, ScsiOutcome outcome) => outcome switch
    {
        { IsReservationConflict: true } => new ReservationConflictException(function, outcome),
        { IsUnitAttention: true } => new UnitAttentionException(function, outcome),
        _ => new ScsiCommandException(function, outcome),
    };
}
