using HaAgent.Agent.Heartbeat;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Agent.Tests.Heartbeat;

public sealed class HeartbeatCodecTests
{
    private static readonly HeartbeatRecord Sample = new(
        "hv-01", 1_764_000_000_123, 42, DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_100_456), 17,
        DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_050_000), "127.0.0.1:0/3141592653");

    [Fact]
    public void Encode_ThenRead_RoundTripsEveryField()
    {
        var block = HeartbeatCodec.Encode(Sample);

        Assert.Equal(HeartbeatCodec.RecordSize, block.Length);
        var result = HeartbeatCodec.Read(block);
        Assert.Equal(HeartbeatReadStatus.Valid, result.Status);
        Assert.Equal(Sample, result.Record);
        Assert.Null(HeartbeatCodec.Read(HeartbeatCodec.Encode(Sample with { SelfFencedAt = null, CephClientAddress = null })).Record!.SelfFencedAt);
    }

    [Fact]
    public void Read_AnyFlippedByte_CorruptNotAHeartbeat()
    {
        var block = HeartbeatCodec.Encode(Sample);
        for (var i = 0; i < block.Length; i += 7)
        {
            var copy = (byte[])block.Clone();
            copy[i] ^= 0x10;
            Assert.Equal(HeartbeatReadStatus.Corrupt, HeartbeatCodec.Read(copy).Status);
        }
    }

    [Fact]
    public void Read_NeverWrittenSlot_Empty()
    {
        Assert.Equal(HeartbeatReadStatus.Empty, HeartbeatCodec.Read(new byte[512]).Status);
        Assert.Equal(HeartbeatReadStatus.Empty, HeartbeatCodec.Read([]).Status);
        Assert.Equal(HeartbeatReadStatus.Corrupt, HeartbeatCodec.Read(new byte[100]).Status);
    }

    [Fact]
    public void Encode_HostIdTooLong_Refused()
    {
        Assert.Throws<ArgumentException>(() => HeartbeatCodec.Encode(Sample with { HostId = new string('h', 65) }));
    }
}
