using System.Buffers;
using HaAgent.Coordinator.Engine;
using HaAgent.Protocol;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// <c>POST /v1/agent/messages</c> and <c>POST /v1/agent/orders</c> (TRANSPORT.md). Authenticated by the per-host HMAC of
/// each frame, not by API tokens. Checks run cheapest first: content type (415), leadership (503, nothing read),
/// size (413, before reading and while reading into a pooled buffer), then <see cref="ProtocolCodec.TryDecode"/>.
/// A refusal changes nothing, reaches no sink, is counted and logged at most once per host per
/// <see cref="RefusalLogInterval"/>.
/// </summary>
internal sealed partial class AgentEndpoint
{
    public const string MessagesPath = "/v1/agent/messages";
    public const string OrdersPath = "/v1/agent/orders";
    public const string FrameContentType = "application/x-haagent-frame";
    public const string LeaderHeader = "HaAgent-Leader";

    public static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>Rate-limit bucket of every refusal that names no known host: one line per interval for all of them.</summary>
    private const string UnknownHostBucket = "?";

    private const int InitialBufferBytes = 4096;

    private readonly ProtocolCodec _codec;
    private readonly IAgentMessageSink _sink;
    private readonly AgentOrderOutbox _outbox;
    private readonly AgentSecretStore _secrets;
    private readonly LeaderHint _leaderHint;
    private readonly AgentEndpointMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollWait;
    private readonly ILogger<AgentEndpoint> _logger;
    private readonly LogRateLimiter _logLimit;

    public AgentEndpoint(
        IAgentMessageSink sink,
        AgentOrderOutbox outbox,
        AgentSecretStore secrets,
        LeaderHint leaderHint,
        AgentEndpointMetrics metrics,
        TimeProvider time,
        IOptions<AgentEndpointOptions> options,
        ILogger<AgentEndpoint> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _codec = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, secrets, time, new ProtocolCodecOptions { ReplayCacheCapacity = options.Value.ReplayCacheCapacity });
        _sink = sink;
        _outbox = outbox;
        _secrets = secrets;
        _leaderHint = leaderHint;
        _metrics = metrics;
        _time = time;
        _pollWait = TimeSpan.FromSeconds(options.Value.PollSeconds);
        _logger = logger;
        _logLimit = new LogRateLimiter(time, RefusalLogInterval);
    }

    /// <summary>Every agent message but the order poll: handed to the engine, answered with a heartbeat ack.</summary>
    public async Task HandleMessageAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await ReceiveAsync(context, MessagesPath).ConfigureAwait(false) is not { } decoded)
        {
            return;
        }
        if (decoded.Message is not AgentMessage message || message is OrderPollMessage)
        {
            await RefuseAsync(context, MessagesPath, new DecodeError(DecodeErrorKind.Invalid, "type", decoded.HostId, "order polls go to " + OrdersPath)).ConfigureAwait(false);
            return;
        }
        // Read again after the (possibly long) body read: an ack must never carry an epoch this instance no longer leads.
        var epoch = _sink.CurrentEpoch;
        if (epoch <= 0)
        {
            await NotLeaderAsync(context, MessagesPath).ConfigureAwait(false);
            return;
        }
        _sink.Accept(message, _time.GetUtcNow());
        _metrics.Count(AgentCounter.MessageAccepted);
        var ack = new HeartbeatAck(epoch, message is HeartbeatMessage heartbeat ? heartbeat.Sequence : 0);
        await WriteFrameAsync(context, _codec.EncodeReply(ack, decoded)).ConfigureAwait(false);
    }

    /// <summary>The long poll: the next order for the host, at once or when one is queued; 204 after the poll time.</summary>
    public async Task HandleOrderPollAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await ReceiveAsync(context, OrdersPath).ConfigureAwait(false) is not { } decoded)
        {
            return;
        }
        if (decoded.Message is not OrderPollMessage poll)
        {
            await RefuseAsync(context, OrdersPath, new DecodeError(DecodeErrorKind.Invalid, "type", decoded.HostId, "only order polls go to " + OrdersPath)).ConfigureAwait(false);
            return;
        }
        var epoch = _sink.CurrentEpoch;
        if (epoch <= 0)
        {
            await NotLeaderAsync(context, OrdersPath).ConfigureAwait(false);
            return;
        }

        var result = await _outbox.PollAsync(poll.HostId, poll.Received, epoch, _pollWait, context.RequestAborted).ConfigureAwait(false);
        // Checked right before answering: an order goes out only while its own epoch is still the one led here, so a
        // deposed leader's order can never reach an agent that has not yet heard of its successor.
        if (result.Order is { } order && order.Stamp.Epoch == _sink.CurrentEpoch)
        {
            _metrics.Count(AgentCounter.PollDelivered);
            await WriteFrameAsync(context, _codec.EncodeReply(order, decoded)).ConfigureAwait(false);
            return;
        }
        if (result.End == PollEnd.Cleared || result.Order is not null || _sink.CurrentEpoch != epoch)
        {
            _metrics.Count(AgentCounter.PollCleared);
            if (_sink.CurrentEpoch <= 0)
            {
                await NotLeaderAsync(context, OrdersPath).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            _metrics.Count(result.End == PollEnd.Superseded ? AgentCounter.PollSuperseded : AgentCounter.PollEmpty);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The checks both endpoints share. Null when the request was answered with a refusal.</summary>
    private async Task<DecodedMessage?> ReceiveAsync(HttpContext context, string endpoint)
    {
        if (!IsFrame(context.Request.ContentType))
        {
            _metrics.Count(AgentCounter.UnsupportedMediaType);
            LogRefusal(context, endpoint, StatusCodes.Status415UnsupportedMediaType, UnknownHostBucket, "content type is not " + FrameContentType);
            await WriteTextAsync(context, StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType: send " + FrameContentType).ConfigureAwait(false);
            return null;
        }
        if (_sink.CurrentEpoch <= 0)
        {
            await NotLeaderAsync(context, endpoint).ConfigureAwait(false);
            return null;
        }

        var (buffer, length, status) = await ReadBodyAsync(context).ConfigureAwait(false);
        if (buffer is null)
        {
            if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
            {
                // The rest of the body is unread: Kestrel drops the connection after this answer, and a client that
                // pooled it would lose its next request on it. Saying so makes the client open a fresh one.
                context.Response.Headers.Connection = "close";
            }
            var kind = status == StatusCodes.Status413PayloadTooLarge ? DecodeErrorKind.TooLarge : DecodeErrorKind.Malformed;
            await RefuseAsync(context, endpoint, new DecodeError(kind, null, null, status == StatusCodes.Status413PayloadTooLarge
                ? $"body larger than {ProtocolLimits.MaxEnvelopeBytes} bytes" : "the body could not be read")).ConfigureAwait(false);
            return null;
        }

        DecodedMessage? decoded;
        DecodeError error;
        try
        {
            _codec.TryDecode(buffer.AsSpan(0, length), out decoded, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (decoded is null)
        {
            await RefuseAsync(context, endpoint, error).ConfigureAwait(false);
            return null;
        }
        return decoded;
    }

    /// <summary>
    /// The body in a pooled buffer the caller returns, sized by Content-Length when given and grown otherwise, never past
    /// one byte over the frame limit. Status 413 when larger, 400 when it cannot be read.
    /// </summary>
    private static async Task<(byte[]? Buffer, int Length, int Status)> ReadBodyAsync(HttpContext context)
    {
        const int Max = ProtocolLimits.MaxEnvelopeBytes;
        var request = context.Request;
        if (request.ContentLength > Max)
        {
            return (null, 0, StatusCodes.Status413PayloadTooLarge);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // The API keeps Kestrel's limit small (64 KiB); an agent frame may use the protocol's whole megabyte. One
            // byte more, so that the loop below (which stops there) decides and answers 413 itself rather than Kestrel
            // failing the read, after which it drops the connection without an answer.
            limit.MaxRequestBodySize = Max + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)declared + 1 : InitialBufferBytes);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > Max)
                    {
                        break;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, Max + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, Max + 1) - length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException or OperationCanceledException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, 0, e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest);
        }
        if (length > Max)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, 0, StatusCodes.Status413PayloadTooLarge);
        }
        return (buffer, length, StatusCodes.Status200OK);
    }

    private async Task RefuseAsync(HttpContext context, string endpoint, DecodeError error)
    {
        var (status, counter) = error.Kind switch
        {
            DecodeErrorKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, AgentCounter.TooLarge),
            DecodeErrorKind.Unauthenticated => (StatusCodes.Status401Unauthorized, AgentCounter.Unauthenticated),
            DecodeErrorKind.Expired => (StatusCodes.Status409Conflict, AgentCounter.Expired),
            DecodeErrorKind.Replayed => (StatusCodes.Status409Conflict, AgentCounter.Replayed),
            DecodeErrorKind.Invalid => (StatusCodes.Status400BadRequest, AgentCounter.Invalid),
            DecodeErrorKind.UnsupportedVersion => (StatusCodes.Status400BadRequest, AgentCounter.UnsupportedVersion),
            _ => (StatusCodes.Status400BadRequest, AgentCounter.Malformed),
        };
        _metrics.Count(counter);
        var bucket = error.HostId is { } hostId && _secrets.IsKnown(hostId) ? hostId : UnknownHostBucket;
        LogRefusal(context, endpoint, status, bucket, error.ToString());
        // Kind and field only: the detail may quote the body, and the log is the place for it.
        await WriteTextAsync(context, status, error.Field is null ? error.Kind.ToString() : $"{error.Kind} {error.Field}").ConfigureAwait(false);
    }

    private async Task NotLeaderAsync(HttpContext context, string endpoint)
    {
        _metrics.Count(AgentCounter.NotLeader);
        if (_logLimit.TryAcquire("not-leader", out var suppressed))
        {
            Log.NotLeader(_logger, endpoint, suppressed);
        }
        context.Response.Headers[LeaderHeader] = await _leaderHint.GetAsync().ConfigureAwait(false);
        await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "NotLeader").ConfigureAwait(false);
    }

    private void LogRefusal(HttpContext context, string endpoint, int status, string bucket, string reason)
    {
        if (_logLimit.TryAcquire(bucket, out var suppressed))
        {
            Log.RequestRefused(_logger, endpoint, status, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason, suppressed);
        }
    }

    private static bool IsFrame(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType.AsSpan() : contentType.AsSpan(0, semicolon)).Trim();
        return mediaType.Equals(FrameContentType, StringComparison.OrdinalIgnoreCase);
    }

    private static Task WriteFrameAsync(HttpContext context, byte[] frame)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = FrameContentType;
        context.Response.ContentLength = frame.Length;
        return context.Response.Body.WriteAsync(frame, context.RequestAborted).AsTask();
    }

    private static Task WriteTextAsync(HttpContext context, int status, string line)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(line + "\n", context.RequestAborted);
    }
}
