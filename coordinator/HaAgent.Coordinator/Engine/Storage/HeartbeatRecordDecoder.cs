using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>
/// Reads the agent's 512-byte heartbeat record (layout owned by agent/HaAgent.Agent/Heartbeat/HeartbeatCodec.cs;
/// re-implemented here because the coordinator must not reference the agent, and a test decodes records written by
/// the agent's own codec). Anything that is not a whole valid record — never written, torn, foreign, another
/// version — reads as null: it is never mistaken for a heartbeat.
/// </summary>
internal static class HeartbeatRecordDecoder
{
    public const int RecordSize = 512;
    private const ushort Version = 1;
    private const uint Magic = 0x42484148; // "HAHB" read little-endian
    private const int MaxHostIdBytes = 64;
    private const int ChecksumOffset = RecordSize - 4;

    public static StorageHeartbeatRecord? Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < RecordSize)
        {
            return null;
        }
        var block = source[..RecordSize];
        if (BinaryPrimitives.ReadUInt32LittleEndian(block) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(block[4..]) != Version
            || BinaryPrimitives.ReadUInt32LittleEndian(block[ChecksumOffset..]) != Checksum(block[..ChecksumOffset]))
        {
            return null;
        }
        var hostIdLength = BinaryPrimitives.ReadUInt16LittleEndian(block[8..]);
        if (hostIdLength is 0 or > MaxHostIdBytes)
        {
            return null;
        }
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(block[6..]);
        var selfFencedAt = BinaryPrimitives.ReadInt64LittleEndian(block[112..]);
        return new StorageHeartbeatRecord(
            Encoding.UTF8.GetString(block.Slice(10, hostIdLength)),
            BinaryPrimitives.ReadInt64LittleEndian(block[80..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[88..]),
            FromUnixMs(BinaryPrimitives.ReadInt64LittleEndian(block[96..])),
            BinaryPrimitives.ReadInt64LittleEndian(block[104..]),
            (flags & 1) != 0 ? FromUnixMs(selfFencedAt) : null);
    }

    /// <summary>CRC-32C (Castagnoli), as the agent computes it.</summary>
    internal static uint Checksum(ReadOnlySpan<byte> data)
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

    private static DateTimeOffset FromUnixMs(long ms) =>
        ms is < -62_135_596_800_000 or > 253_402_300_799_999 ? DateTimeOffset.MinValue : DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
