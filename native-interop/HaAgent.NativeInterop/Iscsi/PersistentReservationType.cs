namespace HaAgent.NativeInterop.Iscsi;

/// <summary>PR type field (SPC-4 table 212), values as on the wire.</summary>
public enum PersistentReservationType
{
    WriteExclusive = 1,
    ExclusiveAccess = 3,
    /// <summary>Type 5: only registered nexuses may write; fencing removes a registration to stop a host's writes.</summary>
    WriteExclusiveRegistrantsOnly = 5,
    ExclusiveAccessRegistrantsOnly = 6,
    WriteExclusiveAllRegistrants = 7,
    ExclusiveAccessAllRegistrants = 8,
}
