using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace HaAgent.Protocol.StorageHeartbeat;

/// <summary>
/// The on-storage form of a <see cref="HeartbeatRecord"/>, written by the agent and read by the coordinator: 512 bytes, little-endian, "HAHB" magic, version, and a
/// CRC-32C over the rest, so a torn or foreign block reads as corrupt, never as a heartbeat.
/// <code>
///   0 magic "HAHB"     4 u16 version (1)   6 u16 flags (bit 0: self-fenced)
///   8 u16 host id len 10 host id (64 B UTF-8)
///  80 i64 incarnation 88 i64 sequence     96 i64 written at (Unix ms)  104 i64 last epoch seen
/// 112 i64 self-fenced at (Unix ms)       120 u16 Ceph address len     122 Ceph address (64 B)
/// 508 u32 CRC-32C of bytes 0..507
/// </code>
/// </summary>
public static class HeartbeatCodec
{
    public const int RecordSize = 512;
    public const ushort Version = 1;
    public const int MaxHostIdBytes = 64;
    public const int MaxAddressBytes = 64;
    private const uint Magic = 0x42484148; // "HAHB" read little-endian
    private const int ChecksumOffset = RecordSize - 4;

    public static void Write(HeartbeatRecord record, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, RecordSize);
        var block = destination[..RecordSize];
        block.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(block, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(block[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(block[6..], (ushort)(record.SelfFencedAt is null ? 0 : 1));
        WriteString(block[8..], record.HostId, MaxHostIdBytes, nameof(record.HostId));
        BinaryPrimitives.WriteInt64LittleEndian(block[80..], record.Incarnation);
        BinaryPrimitives.WriteInt64LittleEndian(block[88..], record.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(block[96..], record.WrittenAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(block[104..], record.LastEpochSeen);
        BinaryPrimitives.WriteInt64LittleEndian(block[112..], record.SelfFencedAt?.ToUnixTimeMilliseconds() ?? 0);
        WriteString(block[120..], record.CephClientAddress ?? "", MaxAddressBytes, nameof(record.CephClientAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(block[ChecksumOffset..], Checksum(block[..ChecksumOffset]));
    }

    public static byte[] Encode(HeartbeatRecord record)
    {
        var block = new byte[RecordSize];
        Write(record, block);
        return block;
    }

    /// <summary>Reads a record: <see cref="HeartbeatReadStatus.Empty"/> for a never-written (all-zero) slot, <see cref="HeartbeatReadStatus.Corrupt"/> for anything else that is not a valid record.</summary>
    public static HeartbeatReadResult Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < RecordSize)
        {
            return source.IsEmpty ? HeartbeatReadResult.Empty : HeartbeatReadResult.CorruptBecause($"{source.Length} bytes, a record is {RecordSize}");
        }
        var block = source[..RecordSize];
        if (!block.ContainsAnyExcept((byte)0))
        {
            return HeartbeatReadResult.Empty;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(block) != Magic)
        {
            return HeartbeatReadResult.CorruptBecause("no HAHB magic");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(block[4..]);
        if (version != Version)
        {
            return HeartbeatReadResult.CorruptBecause($"version {version}, this build reads {Version}");
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(block[ChecksumOffset..]) != Checksum(block[..ChecksumOffset]))
        {
            return HeartbeatReadResult.CorruptBecause("checksum mismatch (torn or overwritten block)");
        }
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(block[6..]);
        var hostId = ReadString(block[8..], MaxHostIdBytes);
        var address = ReadString(block[120..], MaxAddressBytes);
        if (hostId is null || address is null || hostId.Length == 0)
        {
            return HeartbeatReadResult.CorruptBecause("string length out of range");
        }
        var selfFencedAt = BinaryPrimitives.ReadInt64LittleEndian(block[112..]);
        return HeartbeatReadResult.Valid(new HeartbeatRecord(
            hostId,
            BinaryPrimitives.ReadInt64LittleEndian(block[80..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[88..]),
            FromUnixMs(BinaryPrimitives.ReadInt64LittleEndian(block[96..])),
            BinaryPrimitives.ReadInt64LittleEndian(block[104..]),
            (flags & 1) != 0 ? FromUnixMs(selfFencedAt) : null,
            address.Length == 0 ? null : address));
    }

    /// <summary>CRC-32C (Castagnoli) with the CPU's crc32 instruction where there is one.</summary>
    public static uint Checksum(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }

    /// <summary>A time out of DateTimeOffset's range (a checksummed record from a broken clock) reads as MinValue, never throws.</summary>
    private static DateTimeOffset FromUnixMs(long ms) =>
        ms is < -62_135_596_800_000 or > 253_402_300_799_999 ? DateTimeOffset.MinValue : DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static void WriteString(Span<byte> destination, string value, int max, string name)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > max)
        {
            throw new ArgumentException($"{name} is {length} bytes of UTF-8; at most {max} fit in a heartbeat record", name);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length);
        Encoding.UTF8.GetBytes(value, destination.Slice(2, length));
    }

    private static string? ReadString(ReadOnlySpan<byte> source, int max)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(source);
        return length > max ? null : Encoding.UTF8.GetString(source.Slice(2, length));
    }
}
