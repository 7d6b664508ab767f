namespace HaAgent.NativeInterop.Iscsi;

/// <summary>Protocol limits checked on input, before any native call.</summary>
internal static class IscsiLimits
{
    /// <summary>RFC 7143 3.2.6.1: an iSCSI name is at most 223 bytes.</summary>
    internal const int MaxNameBytes = 223;

    /// <summary>Single-level LUN addressing (SAM-5 flat space) covers 0..16383.</summary>
    internal const int MaxLun = 16383;

    /// <summary>One READ/WRITE(16) HaAgent issues moves at most this much; fencing and heartbeats move a few blocks.</summary>
    internal const int MaxTransferBytes = 8 * 1024 * 1024;

    /// <summary>READ KEYS allocation length: header plus 1023 keys.</summary>
    internal const ushort ReadKeysAllocationLength = 8 + (1023 * 8);

    /// <summary>READ RESERVATION data is 8 bytes of header plus one 16-byte descriptor.</summary>
    internal const ushort ReadReservationAllocationLength = 24;

    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);
}
