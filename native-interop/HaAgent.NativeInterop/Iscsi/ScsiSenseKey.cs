namespace HaAgent.NativeInterop.Iscsi;

/// <summary>Sense key of a CHECK CONDITION (SPC-5 4.4.3); <see cref="NoSense"/> when there was no sense data.</summary>
public enum ScsiSenseKey
{
    NoSense = 0x00,
    RecoveredError = 0x01,
    NotReady = 0x02,
    MediumError = 0x03,
    HardwareError = 0x04,
    IllegalRequest = 0x05,
    UnitAttention = 0x06,
    DataProtection = 0x07,
    BlankCheck = 0x08,
    VendorSpecific = 0x09,
    CopyAborted = 0x0a,
    CommandAborted = 0x0b,
    Obsolete = 0x0c,
    VolumeOverflow = 0x0d,
    Miscompare = 0x0e,
}
