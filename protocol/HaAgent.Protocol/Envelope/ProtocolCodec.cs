using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;

namespace HaAgent.Protocol.Envelope;

/// <summary>
/// Signs and checks frames. Frame layout (big-endian):
/// <c>"HAAG" | version u16 | direction u8 | hostLen u8 | hostId ASCII | unixMs i64 | nonce 16 | bodyLen u32 | body JSON | HMAC-SHA256 32</c>.
/// The MAC covers every byte before it. Checks run cheapest first and the body is parsed only after the frame is
/// known to be small, current-version, authentic, fresh and not replayed; <see cref="TryDecode"/> never throws on
/// input.
/// </summary>
public sealed class ProtocolCodec
{
    private static ReadOnlySpan<byte> Magic => "HAAG"u8;

    private const int FixedHeaderBytes = 4 + 2 + 1 + 1;
    private const int AfterHostBytes = 8 + ProtocolLimits.NonceBytes + 4;
    private const int MinFrameBytes = FixedHeaderBytes + 1 + AfterHostBytes + ProtocolLimits.MacBytes;

    private readonly ProtocolDirection _inbound;
    private readonly IHostSecretStore _secrets;
    private readonly TimeProvider _time;
    private readonly long _skewMs;
    private readonly ReplayCache _replays;

    /// <param name="inbound">The direction this side receives: an agent decodes coordinator-to-agent frames.</param>
    public ProtocolCodec(ProtocolDirection inbound, IHostSecretStore secrets, TimeProvider time, ProtocolCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new ProtocolCodecOptions();
        options.Validate();
        _inbound = inbound;
        _secrets = secrets;
        _time = time;
        _skewMs = (long)options.ClockSkew.TotalMilliseconds;
        _replays = new ReplayCache(options.ReplayCacheCapacity);
    }

    internal int RememberedNonces => _replays.Count;

    /// <summary>Signs <paramref name="message"/> for the channel of <paramref name="hostId"/> with a fresh nonce.</summary>
    /// <exception cref="ArgumentException">The message breaks the contract, or no secret is known for the host.</exception>
    public byte[] Encode(ProtocolMessage message, string hostId)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Direction == _inbound)
        {
            throw new ArgumentException($"{message.GetType().Name} travels {message.Direction}; this codec sends the other way", nameof(message));
        }

        if (!MessageValidator.IsId(hostId) || !_secrets.TryGetSecret(hostId, out var secret))
        {
            throw new ArgumentException($"no secret for host '{hostId}'", nameof(hostId));
        }

        Span<byte> nonce = stackalloc byte[ProtocolLimits.NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        return Encode(message, hostId, secret.Span, _time.GetUtcNow(), nonce);
    }

    /// <summary>
    /// Signs <paramref name="message"/> with the host's PREVIOUS secret, for a sender in a rollover whose peer refused
    /// the next secret (it has not learnt it yet: TRANSPORT.md "Secret rotation"). False when no rollover is in progress.
    /// </summary>
    /// <exception cref="ArgumentException">The message breaks the contract.</exception>
    public bool TryEncodeWithPrevious(ProtocolMessage message, string hostId, [NotNullWhen(true)] out byte[]? frame)
    {
        ArgumentNullException.ThrowIfNull(message);
        frame = null;
        if (message.Direction == _inbound)
        {
            throw new ArgumentException($"{message.GetType().Name} travels {message.Direction}; this codec sends the other way", nameof(message));
        }
        if (!MessageValidator.IsId(hostId) || !_secrets.TryGetSecrets(hostId, out var secrets) || !secrets.HasPrevious)
        {
            return false;
        }
        Span<byte> nonce = stackalloc byte[ProtocolLimits.NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        frame = Encode(message, hostId, secrets.Previous.Span, _time.GetUtcNow(), nonce);
        return true;
    }

    /// <summary>
    /// Signs <paramref name="reply"/> to <paramref name="request"/>'s host with the secret that verified the request, so
    /// that during a key rollover a sender that still signs with the previous secret (or already with the next) can
    /// verify the answer whichever secret it holds.
    /// </summary>
    /// <exception cref="ArgumentException">The message breaks the contract.</exception>
    public byte[] EncodeReply(ProtocolMessage reply, DecodedMessage request)
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(request);
        if (reply.Direction == _inbound)
        {
            throw new ArgumentException($"{reply.GetType().Name} travels {reply.Direction}; this codec sends the other way", nameof(reply));
        }
        if (request.VerifiedWith.IsEmpty)
        {
            // A DecodedMessage built by hand (tests): fall back to the host's newest secret.
            return Encode(reply, request.HostId);
        }

        Span<byte> nonce = stackalloc byte[ProtocolLimits.NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        return Encode(reply, request.HostId, request.VerifiedWith.Span, _time.GetUtcNow(), nonce);
    }

    /// <summary>Deterministic encoding (explicit time and nonce), for tests and for re-sending a recorded frame.</summary>
    public static byte[] Encode(
        ProtocolMessage message, string hostId, ReadOnlySpan<byte> secret, DateTimeOffset sentAt, ReadOnlySpan<byte> nonce,
        ushort version = ProtocolLimits.CurrentVersion)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (MessageValidator.FirstInvalidField(message) is { } field)
        {
            throw new ArgumentException($"{message.GetType().Name}.{field} breaks the protocol contract", nameof(message));
        }

        if (message is AgentMessage agent && !string.Equals(agent.HostId, hostId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"message speaks for '{agent.HostId}' on the channel of '{hostId}'", nameof(hostId));
        }

        if (!MessageValidator.IsId(hostId))
        {
            throw new ArgumentException($"'{hostId}' is not a valid host id", nameof(hostId));
        }

        if (secret.Length < ProtocolLimits.MinSecretBytes || nonce.Length != ProtocolLimits.NonceBytes)
        {
            throw new ArgumentException("secret too short or nonce of the wrong length", nameof(secret));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(message, ProtocolJsonContext.Default.ProtocolMessage);
        var macStart = FixedHeaderBytes + hostId.Length + AfterHostBytes + body.Length;
        if (macStart + ProtocolLimits.MacBytes > ProtocolLimits.MaxEnvelopeBytes)
        {
            throw new ArgumentException($"message encodes to more than {ProtocolLimits.MaxEnvelopeBytes} bytes", nameof(message));
        }

        var frame = new byte[macStart + ProtocolLimits.MacBytes];
        var span = frame.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], version);
        span[6] = (byte)message.Direction;
        span[7] = (byte)hostId.Length;
        var at = FixedHeaderBytes + Encoding.ASCII.GetBytes(hostId, span[FixedHeaderBytes..]);
        BinaryPrimitives.WriteInt64BigEndian(span[at..], sentAt.ToUnixTimeMilliseconds());
        nonce.CopyTo(span[(at + 8)..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 8 + ProtocolLimits.NonceBytes)..], (uint)body.Length);
        body.CopyTo(span[(at + AfterHostBytes)..]);
        HMACSHA256.HashData(secret, span[..macStart], span[macStart..]);
        return frame;
    }

    /// <summary>
    /// Checks and parses one frame. On failure nothing changes except, for an authentic fresh frame, that its nonce is
    /// remembered (so the same bytes are refused as replayed next time).
    /// </summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, [NotNullWhen(true)] out DecodedMessage? decoded, out DecodeError error)
    {
        decoded = null;
        if (frame.Length > ProtocolLimits.MaxEnvelopeBytes)
        {
            error = new(DecodeErrorKind.TooLarge, null, null, $"{frame.Length} bytes > {ProtocolLimits.MaxEnvelopeBytes}");
            return false;
        }

        if (frame.Length < MinFrameBytes || !frame.StartsWith(Magic))
        {
            error = new(DecodeErrorKind.Malformed, null, null, "not a frame");
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(frame[4..]);
        if (version != ProtocolLimits.CurrentVersion)
        {
            error = new(DecodeErrorKind.UnsupportedVersion, null, null, $"version {version}, this build speaks {ProtocolLimits.CurrentVersion}");
            return false;
        }

        var hostLength = frame[7];
        if (hostLength is 0 or > ProtocolLimits.MaxIdChars || frame.Length < MinFrameBytes - 1 + hostLength)
        {
            error = new(DecodeErrorKind.Malformed, null, null, "bad host id length");
            return false;
        }

        var hostBytes = frame.Slice(FixedHeaderBytes, hostLength);
        if (!Ascii.IsValid(hostBytes))
        {
            error = new(DecodeErrorKind.Malformed, null, null, "host id not ASCII");
            return false;
        }

        var hostId = Encoding.ASCII.GetString(hostBytes);
        if (!MessageValidator.IsId(hostId))
        {
            error = new(DecodeErrorKind.Malformed, null, null, "host id not an id");
            return false;
        }

        var at = FixedHeaderBytes + hostLength;
        var sentAtMs = BinaryPrimitives.ReadInt64BigEndian(frame[at..]);
        var nonce = BinaryPrimitives.ReadUInt128BigEndian(frame[(at + 8)..]);
        var bodyLength = BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 8 + ProtocolLimits.NonceBytes)..]);
        var bodyStart = at + AfterHostBytes;
        var macStart = frame.Length - ProtocolLimits.MacBytes;
        if (bodyLength != (uint)(macStart - bodyStart))
        {
            error = new(DecodeErrorKind.Malformed, null, hostId, "body length does not match the frame");
            return false;
        }

        if ((ProtocolDirection)frame[6] != _inbound)
        {
            error = new(DecodeErrorKind.Unauthenticated, null, hostId, "frame of the wrong direction");
            return false;
        }

        if (!_secrets.TryGetSecrets(hostId, out var secrets))
        {
            error = new(DecodeErrorKind.Unauthenticated, null, hostId, "unknown host");
            return false;
        }

        // The newest secret first; the previous one only during a rollover (one more HMAC for a sender not switched yet).
        Span<byte> expected = stackalloc byte[ProtocolLimits.MacBytes];
        var secret = secrets.Newest;
        HMACSHA256.HashData(secret.Span, frame[..macStart], expected);
        var signedWithPrevious = false;
        if (!CryptographicOperations.FixedTimeEquals(expected, frame[macStart..]))
        {
            secret = secrets.Previous;
            signedWithPrevious = true;
            if (secret.IsEmpty || !MacMatches(secret.Span, frame[..macStart], frame[macStart..]))
            {
                error = new(DecodeErrorKind.Unauthenticated, null, hostId, "bad MAC");
                return false;
            }
        }

        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (sentAtMs < nowMs - _skewMs || sentAtMs > nowMs + _skewMs)
        {
            error = new(DecodeErrorKind.Expired, null, hostId, $"sent {sentAtMs - nowMs} ms from now, skew allows ±{_skewMs} ms");
            return false;
        }

        if (_replays.TryRecord(hostId, nonce, sentAtMs, nowMs - _skewMs) is { } replayError)
        {
            error = new(replayError, null, hostId, replayError == DecodeErrorKind.Replayed ? "nonce already seen" : "older than the replay cache floor");
            return false;
        }

        ProtocolMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(frame[bodyStart..macStart], ProtocolJsonContext.Default.ProtocolMessage);
        }
        catch (JsonException e)
        {
            error = new(DecodeErrorKind.Malformed, null, hostId, e.Message);
            return false;
        }
        catch (NotSupportedException e)
        {
            // An abstract type without a known discriminator lands here rather than in JsonException.
            error = new(DecodeErrorKind.Malformed, null, hostId, e.Message);
            return false;
        }

        if (message is null)
        {
            error = new(DecodeErrorKind.Malformed, null, hostId, "null body");
            return false;
        }

        if (message.Direction != _inbound)
        {
            error = new(DecodeErrorKind.Invalid, "type", hostId, $"{message.GetType().Name} does not travel {_inbound}");
            return false;
        }

        if (MessageValidator.FirstInvalidField(message) is { } field)
        {
            error = new(DecodeErrorKind.Invalid, field, hostId, "breaks the protocol contract");
            return false;
        }

        if (message is AgentMessage agent && !string.Equals(agent.HostId, hostId, StringComparison.Ordinal))
        {
            error = new(DecodeErrorKind.Unauthenticated, "hostId", hostId, $"speaks for '{agent.HostId}'");
            return false;
        }

        decoded = new DecodedMessage(version, hostId, DateTimeOffset.FromUnixTimeMilliseconds(sentAtMs), message)
        {
            SignedWithPrevious = signedWithPrevious,
            VerifiedWith = secret,
        };
        error = default;
        return true;
    }

    private static bool MacMatches(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[ProtocolLimits.MacBytes];
        HMACSHA256.HashData(secret, signed, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }
}
