namespace HaAgent.NativeInterop.Iscsi;

/// <summary>
/// How a target answered one SCSI command: status, and for CHECK CONDITION the sense key with its
/// additional sense code (ASC) and qualifier (ASCQ).
/// </summary>
public readonly record struct ScsiOutcome(ScsiStatus Status, ScsiSenseKey SenseKey = ScsiSenseKey.NoSense, byte Asc = 0, byte Ascq = 0)
{
    /// <summary>ASC/ASCQ 2A/03: another nexus preempted or cleared the reservation this nexus relied on.</summary>
    public const ushort ReservationsPreempted = 0x2a03;

    /// <summary>ASC/ASCQ 24/00: INVALID FIELD IN CDB, how tgt refuses PREEMPT AND ABORT.</summary>
    public const ushort InvalidFieldInCdb = 0x2400;

    public static ScsiOutcome Good => default;

    public bool IsGood => Status == ScsiStatus.Good;

    public bool IsReservationConflict => Status == ScsiStatus.ReservationConflict;

    public bool IsUnitAttention => Status == ScsiStatus.CheckCondition && SenseKey == ScsiSenseKey.UnitAttention;

    public bool IsIllegalRequest => Status == ScsiStatus.CheckCondition && SenseKey == ScsiSenseKey.IllegalRequest;

    /// <summary>ASC and ASCQ as one number, (ASC &lt;&lt; 8) | ASCQ, the way the SCSI tables list them.</summary>
    public ushort AdditionalSense => (ushort)((Asc << 8) | Ascq);

    public override string ToString() => Status switch
    {
        ScsiStatus.Good => "GOOD",
        ScsiStatus.CheckCondition => $"CHECK CONDITION {SenseKeyName(SenseKey)} {Asc:X2}/{Ascq:X2}",
        ScsiStatus.ConditionMet => "CONDITION MET",
        ScsiStatus.Busy => "BUSY",
        ScsiStatus.ReservationConflict => "RESERVATION CONFLICT",
        ScsiStatus.TaskSetFull => "TASK SET FULL",
        ScsiStatus.AcaActive => "ACA ACTIVE",
        ScsiStatus.TaskAborted => "TASK ABORTED",
        var other => $"STATUS 0x{(int)other:X2}",
    };

    private static string SenseKeyName(ScsiSenseKey key) => key switch
    {
        ScsiSenseKey.IllegalRequest => "ILLEGAL REQUEST",
        ScsiSenseKey.UnitAttention => "UNIT ATTENTION",
        ScsiSenseKey.NotReady => "NOT READY",
        ScsiSenseKey.MediumError => "MEDIUM ERROR",
        ScsiSenseKey.HardwareError => "HARDWARE ERROR",
        ScsiSenseKey.DataProtection => "DATA PROTECT",
        ScsiSenseKey.CommandAborted => "ABORTED COMMAND",
        var other => other.ToString(),
    };
}
