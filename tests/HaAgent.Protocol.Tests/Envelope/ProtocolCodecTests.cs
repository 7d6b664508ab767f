using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Tests.Envelope;

public sealed class ProtocolCodecTests
{
    private readonly CodecFixture _codecs = new();

    [Theory]
    [MemberData(nameof(Samples.AgentMessageNames), MemberType = typeof(Samples))]
    [MemberData(nameof(Samples.CoordinatorMessageNames), MemberType = typeof(Samples))]
    public void TryDecode_ValidFrame_RoundTripsEveryField(string name)
    {
        var message = Samples.ByName(name);
        var frame = _codecs.Encode(message);

        Assert.True(_codecs.ReceiverOf(message).TryDecode(frame, out var decoded, out var error), error.ToString());
        Assert.Equal(ProtocolLimits.CurrentVersion, decoded.Version);
        Assert.Equal(Samples.Host, decoded.HostId);
        Assert.Equal(_codecs.Time.GetUtcNow(), decoded.SentAt);
        Assert.Equal(message.GetType(), decoded.Message.GetType());
        Assert.Equal(Json(message), Json(decoded.Message));
    }

    [Fact]
    public void TryDecode_HeartbeatStamp_KeepsEpochAndSequence()
    {
        Assert.True(_codecs.Coordinator.TryDecode(_codecs.Encode(Samples.Heartbeat), out var decoded, out _));
        var heartbeat = Assert.IsType<HeartbeatMessage>(decoded.Message);
        Assert.Equal(new OrderStamp(3, 17), heartbeat.LastStamp);
        Assert.Equal(Samples.Heartbeat with { }, heartbeat);
    }

    [Fact]
    public void TryDecode_TamperedBodyByte_IsUnauthenticated()
    {
        var frame = _codecs.Encode(Samples.Heartbeat);
        var body = Encoding.UTF8.GetString(frame).IndexOf("\"sequence\":42", StringComparison.Ordinal);
        frame[body + "\"sequence\":4".Length] = (byte)'3';

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Unauthenticated);
    }

    [Fact]
    public void TryDecode_EveryHeaderOrMacByteFlipped_IsRefused()
    {
        var frame = _codecs.Encode(Samples.StopVm);
        for (var i = 0; i < frame.Length; i++)
        {
            var copy = (byte[])frame.Clone();
            copy[i] ^= 0x01;
            Assert.False(_codecs.Agent.TryDecode(copy, out _, out var error), $"byte {i} flipped was accepted");
            Assert.NotEqual(DecodeErrorKind.Replayed, error.Kind);
        }

        Assert.Equal(0, _codecs.Agent.RememberedNonces);
    }

    [Fact]
    public void TryDecode_WrongSecret_IsUnauthenticated()
    {
        var frame = ProtocolCodec.Encode(Samples.Heartbeat, Samples.Host, Samples.OtherSecret, _codecs.Time.GetUtcNow(), new byte[16]);

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Unauthenticated);
    }

    [Fact]
    public void TryDecode_UnknownHost_IsUnauthenticated()
    {
        var frame = ProtocolCodec.Encode(Samples.Heartbeat with { HostId = "host-9" }, "host-9", Samples.Secret, _codecs.Time.GetUtcNow(), new byte[16]);

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Unauthenticated);
    }

    [Fact]
    public void TryDecode_MissingMac_IsRefusedWithoutParsing()
    {
        var frame = _codecs.Encode(Samples.Heartbeat);

        Assert.False(_codecs.Coordinator.TryDecode(frame.AsSpan(0, frame.Length - ProtocolLimits.MacBytes), out _, out var error));
        Assert.Contains(error.Kind, new[] { DecodeErrorKind.Malformed, DecodeErrorKind.Unauthenticated });
    }

    [Fact]
    public void TryDecode_EmptyOrHeaderOnly_IsMalformed()
    {
        AssertRefused(_codecs.Coordinator, [], DecodeErrorKind.Malformed);
        AssertRefused(_codecs.Coordinator, "HAAG"u8.ToArray(), DecodeErrorKind.Malformed);
        AssertRefused(_codecs.Coordinator, Encoding.UTF8.GetBytes(new string('x', 200)), DecodeErrorKind.Malformed);
    }

    [Fact]
    public void TryDecode_OrderSignedWithTheHostSecretReflectedToTheCoordinator_IsUnauthenticated()
    {
        var order = _codecs.Coordinator.Encode(Samples.StopVm, Samples.Host);

        AssertRefused(_codecs.Coordinator, order, DecodeErrorKind.Unauthenticated);
        Assert.True(_codecs.Agent.TryDecode(order, out _, out _));
    }

    [Fact]
    public void TryDecode_BodySpeakingForAnotherHost_IsUnauthenticated()
    {
        var secrets = new HostSecrets([new(Samples.Host, Samples.Secret), new("host-2", Samples.OtherSecret)]);
        var coordinator = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, secrets, _codecs.Time);
        var body = Encoding.UTF8.GetBytes("""{"type":"heartbeat","sequence":1,"lastStamp":{"epoch":1,"sequence":1},"hostId":"host-2","incarnation":1}""");
        var frame = Reframe(_codecs.Encode(Samples.Heartbeat), body, Samples.Secret);

        var refused = AssertRefused(coordinator, frame, DecodeErrorKind.Unauthenticated);
        Assert.Equal("hostId", refused.Field);
    }

    [Fact]
    public void TryDecode_SameFrameTwice_IsReplayed()
    {
        var frame = _codecs.Encode(Samples.Heartbeat);

        Assert.True(_codecs.Coordinator.TryDecode(frame, out _, out _));
        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Replayed);
    }

    [Fact]
    public void TryDecode_ReplayedAfterTheWindow_IsExpired()
    {
        var frame = _codecs.Encode(Samples.Heartbeat);
        Assert.True(_codecs.Coordinator.TryDecode(frame, out _, out _));

        _codecs.Time.Advance(TimeSpan.FromSeconds(31));

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Expired);
    }

    [Theory]
    [InlineData(-31)]
    [InlineData(31)]
    [InlineData(-86_400)]
    public void TryDecode_TimestampOutsideSkew_IsExpired(int offsetSeconds)
    {
        var sentAt = _codecs.Time.GetUtcNow().AddSeconds(offsetSeconds);
        var frame = ProtocolCodec.Encode(Samples.Heartbeat, Samples.Host, Samples.Secret, sentAt, new byte[16]);

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Expired);
    }

    [Fact]
    public void TryDecode_TimestampInsideSkew_IsAccepted()
    {
        var sentAt = _codecs.Time.GetUtcNow().AddSeconds(-29);
        var frame = ProtocolCodec.Encode(Samples.Heartbeat, Samples.Host, Samples.Secret, sentAt, new byte[16]);

        Assert.True(_codecs.Coordinator.TryDecode(frame, out _, out var error), error.ToString());
    }

    [Fact]
    public void TryDecode_ReplayCacheFull_ForgetsOnlyBehindAFloorSoOldFramesStayRefused()
    {
        var codecs = new CodecFixture(new ProtocolCodecOptions { ReplayCacheCapacity = 16 });
        var frames = new List<byte[]>();
        for (var i = 0; i < 40; i++)
        {
            codecs.Time.Advance(TimeSpan.FromMilliseconds(10));
            var frame = codecs.Encode(Samples.Heartbeat with { Sequence = i });
            Assert.True(codecs.Coordinator.TryDecode(frame, out _, out var error), error.ToString());
            frames.Add(frame);
        }

        Assert.True(codecs.Coordinator.RememberedNonces <= 16);
        foreach (var frame in frames)
        {
            Assert.False(codecs.Coordinator.TryDecode(frame, out _, out var error));
            Assert.Contains(error.Kind, new[] { DecodeErrorKind.Replayed, DecodeErrorKind.Expired });
        }
    }

    [Fact]
    public void TryDecode_SameFrameRacedOnManyConnections_IsAcceptedExactlyOnce()
    {
        var frames = Enumerable.Range(0, 200).Select(i => _codecs.Encode(Samples.Heartbeat with { Sequence = i })).ToArray();
        var accepted = 0;

        Parallel.For(0, frames.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            if (_codecs.Coordinator.TryDecode(frames[i % frames.Length], out _, out _))
            {
                Interlocked.Increment(ref accepted);
            }
        });

        Assert.Equal(frames.Length, accepted);
    }

    [Fact]
    public void TryDecode_OversizeFrame_IsTooLargeAndReturnsAtOnce()
    {
        var huge = new byte[ProtocolLimits.MaxEnvelopeBytes + 1];
        _ = _codecs.Coordinator.TryDecode(huge, out _, out _);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var accepted = _codecs.Coordinator.TryDecode(huge, out _, out var error);

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.False(accepted);
        Assert.Equal(DecodeErrorKind.TooLarge, error.Kind);
        Assert.True(allocated < 4096, $"allocated {allocated} bytes refusing a {huge.Length}-byte frame");
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(50), $"took {clock.Elapsed}");
    }

    [Fact]
    public void TryDecode_UnknownVersion_IsUnsupportedVersion()
    {
        var frame = ProtocolCodec.Encode(Samples.Heartbeat, Samples.Host, Samples.Secret, _codecs.Time.GetUtcNow(), new byte[16], version: 2);

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.UnsupportedVersion);
    }

    [Fact]
    public void TryDecode_AuthenticBodyWithInvalidField_IsInvalidNamingTheField()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"running","leaderPid":-5}],"hostId":"host-1","incarnation":1}""");
        var frame = Reframe(_codecs.Encode(Samples.Heartbeat), body, Samples.Secret);

        var refused = AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Invalid);
        Assert.Equal("vms[0].leaderPid", refused.Field);
    }

    [Theory]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"running","leaderPid":4242}],"hostId":"host-1","incarnation":1}""", 4242L)]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"running","leaderPid":null}],"hostId":"host-1","incarnation":1}""", null)]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"running"}],"hostId":"host-1","incarnation":1}""", null)]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"hung"}],"hostId":"host-1","incarnation":1}""", null)]
    public void TryDecode_LiveVmWithOrWithoutPid_IsAccepted(string json, long? pid)
    {
        // Old agents always send a pid for a live VM; newer ones leave it out while QEMU is not known (test driver).
        var frame = Reframe(_codecs.Encode(Samples.Heartbeat), Encoding.UTF8.GetBytes(json), Samples.Secret);

        Assert.True(_codecs.Coordinator.TryDecode(frame, out var decoded, out var error), error.ToString());
        var report = Assert.IsType<VmReportMessage>(decoded.Message);
        Assert.Equal(pid, Assert.Single(report.Vms).LeaderPid);
    }

    [Theory]
    [InlineData("""{"type":"heartbeat","sequence":1,"lastStamp":{"epoch":1,"sequence":1},"hostId":"host-1"}""")]
    [InlineData("""{"type":"heartbeat","sequence":1,"lastStamp":{"epoch":1,"sequence":1},"hostId":null,"incarnation":1}""")]
    [InlineData("""{"type":"heartbeat","sequence":"1","lastStamp":{"epoch":1,"sequence":1},"hostId":"host-1","incarnation":1}""")]
    [InlineData("""{"type":"heartbeat","sequence":1,"lastStamp":{"epoch":1,"sequence":1},"hostId":"host-1","incarnation":1,"extra":1}""")]
    [InlineData("""{"type":"nope","hostId":"host-1"}""")]
    [InlineData("""{"hostId":"host-1"}""")]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":1,"leaderPid":5}],"hostId":"host-1","incarnation":1}""")]
    [InlineData("""{"type":"vm-report","vms":[{"vmId":"vm-1","state":"exploded","leaderPid":5}],"hostId":"host-1","incarnation":1}""")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{")]
    public void TryDecode_AuthenticButMalformedBody_IsMalformed(string json)
    {
        var frame = Reframe(_codecs.Encode(Samples.Heartbeat), Encoding.UTF8.GetBytes(json), Samples.Secret);

        AssertRefused(_codecs.Coordinator, frame, DecodeErrorKind.Malformed);
    }

    [Fact]
    public void Encode_InvalidMessage_ThrowsNamingTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => _codecs.Coordinator.Encode(Samples.StopVm with { VmId = "../etc" }, Samples.Host));
        Assert.Contains("vmId", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_DomainXmlOverLimit_Throws()
    {
        var xml = new string('x', ProtocolLimits.MaxDomainXmlChars + 1);

        Assert.Throws<ArgumentException>(() => _codecs.Coordinator.Encode(Samples.StartVm with { DomainXml = xml }, Samples.Host));
    }

    [Fact]
    public void Encode_NoncesDiffer_SoIdenticalMessagesAreBothAccepted()
    {
        Assert.True(_codecs.Coordinator.TryDecode(_codecs.Encode(Samples.Heartbeat), out _, out _));
        Assert.True(_codecs.Coordinator.TryDecode(_codecs.Encode(Samples.Heartbeat), out _, out _));
    }

    private static DecodeError AssertRefused(ProtocolCodec codec, byte[] frame, DecodeErrorKind expected)
    {
        Assert.False(codec.TryDecode(frame, out var decoded, out var error));
        Assert.Null(decoded);
        Assert.Equal(expected, error.Kind);
        return error;
    }

    private static string Json(ProtocolMessage message) =>
        JsonSerializer.Serialize(message, ProtocolJsonContext.Default.ProtocolMessage);

    /// <summary>Replaces the body of a frame and signs it again with <paramref name="secret"/>, keeping the header.</summary>
    internal static byte[] Reframe(byte[] frame, byte[] body, byte[] secret)
    {
        var hostLength = frame[7];
        var bodyStart = 8 + hostLength + 8 + 16 + 4;
        var result = new byte[bodyStart + body.Length + 32];
        frame.AsSpan(0, bodyStart).CopyTo(result);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(bodyStart - 4), (uint)body.Length);
        body.CopyTo(result.AsSpan(bodyStart));

        // A fresh nonce so the re-signed frame is not refused as a replay of the original.
        System.Security.Cryptography.RandomNumberGenerator.Fill(result.AsSpan(8 + hostLength + 8, 16));
        System.Security.Cryptography.HMACSHA256.HashData(secret, result.AsSpan(0, bodyStart + body.Length), result.AsSpan(bodyStart + body.Length));
        return result;
    }
}
