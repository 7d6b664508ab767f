namespace HaAgent.NativeInterop.Iscsi;

/// <summary>SCSI status byte of a completed command (SAM-5). Transport failures are not statuses: see <see cref="IscsiTransportException"/>.</summary>
public enum ScsiStatus
{
    Good = 0x00,
    CheckCondition = 0x02,
    ConditionMet = 0x04,
    Busy = 0x08,
    ReservationConflict = 0x18,
    TaskSetFull = 0x28,
    AcaActive = 0x30,
    TaskAborted = 0x40,
}
