using System.Net;
using System.Net.Http.Headers;
using HaAgent.Agent.SelfFence;
using HaAgent.Protocol;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Link;

/// <summary>
/// Carries frames to the leading coordinator (TRANSPORT.md). Tries the endpoint that last answered first; a 503
/// names the leader in <c>HaAgent-Leader</c>, which is tried next when it is one of the configured endpoints (the
/// header is unauthenticated, so it never adds a destination); a refused connection, a timeout or another status moves
/// on to the next endpoint. Every exchange is bounded. Only an authentic reply frame from a leader (200) counts as
/// coordinator contact for the self-fence monitor.
/// </summary>
internal sealed partial class CoordinatorClient : IDisposable
{
    private static readonly MediaTypeHeaderValue FrameType = new(LinkPaths.FrameContentType);

    private readonly Uri[] _endpoints;
    private readonly string _hostId;
    private readonly ProtocolCodec _codec;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeSpan _pollTimeout;
    private readonly CoordinatorContact _contact;
    // The highest leader epoch this agent has seen (its order gate's floor): an ack below it comes from a deposed leader.
    private readonly Func<long> _epochFloor;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly CoordinatorCertificateCheck _certificates;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private int _preferred;
    private string? _lastProblem;
    private long _lastLoggedAt;
    private PollInFlight? _poll;
    private long _previousUntil;

    /// <summary>How long the agent keeps signing with the previous secret after a coordinator refused the next one.</summary>
    internal static readonly TimeSpan PreviousSecretHold = TimeSpan.FromSeconds(30);

    public CoordinatorClient(
        IReadOnlyList<string> endpoints,
        string hostId,
        ProtocolCodec codec,
        TimeSpan connectTimeout,
        TimeSpan requestTimeout,
        TimeSpan pollTimeout,
        CoordinatorContact contact,
        ILogger<CoordinatorClient> logger,
        CoordinatorCertificateCheck? certificates = null,
        string httpVersion = "1.1",
        Func<long>? epochFloor = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(endpoints.Count);
        _endpoints = [.. endpoints.Select(Normalize)];
        _hostId = hostId;
        _codec = codec;
        _requestTimeout = requestTimeout;
        _pollTimeout = pollTimeout;
        _contact = contact;
        _epochFloor = epochFloor ?? (() => 0);
        _logger = logger;
        _certificates = certificates ?? new CoordinatorCertificateCheck(null, null, [], TimeProvider.System);
        (_version, _versionPolicy) = httpVersion switch
        {
            // Over TLS, ALPN picks h2 when the coordinator offers it; plain http:// stays HTTP/1.1 (no upgrade).
            "2" => (System.Net.HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrLower),
            "2-prior-knowledge" => (System.Net.HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            _ => (System.Net.HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact),
        };
        _http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = _certificates.Validate,
            },
            ConnectTimeout = connectTimeout,
            // HTTP/2 keeps one connection per endpoint and a timed-out request only resets its stream: without pings a
            // blackholed connection would stay pooled and take every later request until TCP gives up (minutes). A
            // ping unanswered within the request bound drops it, as HTTP/1.1 drops a connection whose request timed out.
            KeepAlivePingDelay = requestTimeout,
            KeepAlivePingTimeout = requestTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxResponseHeadersLength = 16,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = ProtocolLimits.MaxEnvelopeBytes,
        };
    }

    /// <summary>The endpoint tried first (the last one that led).</summary>
    public Uri PreferredEndpoint => _endpoints[Volatile.Read(ref _preferred)];

    /// <summary>Sends one agent message to the leader and returns its ack, trying each endpoint at most once.</summary>
    public async Task<SendOutcome> SendAsync(AgentMessage message, CancellationToken cancellationToken)
    {
        byte[] frame;
        bool previous;
        try
        {
            frame = Sign(message, out previous);
        }
        catch (ArgumentException e)
        {
            LogUnsendable(message.GetType().Name, e.Message);
            return new SendOutcome(null, e.Message, Unsendable: true);
        }
        string? problem = null;
        var tried = new bool[_endpoints.Length];
        var index = Volatile.Read(ref _preferred);
        for (var round = 0; round < _endpoints.Length; round++)
        {
            index = Untried(tried, index);
            var attempt = await ExchangeAsync(index, LinkPaths.Messages, frame, _requestTimeout, cancellationToken).ConfigureAwait(false);
            if (attempt.Status == HttpStatusCode.Unauthorized && TryFallBack(message, index, ref frame, ref previous))
            {
                attempt = await ExchangeAsync(index, LinkPaths.Messages, frame, _requestTimeout, cancellationToken).ConfigureAwait(false);
            }
            // A deposed leader that still believes it leads acks with its old epoch: that is not contact with the cluster
            // (the real leader hears nothing from us and will fence us), so it must not hold off the self-fence.
            if (attempt.Decoded?.Message is HeartbeatAck ack && ack.Epoch >= _epochFloor())
            {
                Led(index);
                return new SendOutcome(ack, null);
            }
            problem = Join(problem, attempt.Decoded switch
            {
                { Message: HeartbeatAck stale } => $"{_endpoints[index]} acked for epoch {stale.Epoch}, below the epoch {_epochFloor()} already seen (a deposed leader)",
                { } other => $"{_endpoints[index]} answered {other.Message.GetType().Name}, not an ack",
                null => attempt.Problem,
            });
            AbandonPollOn(index);
            index = Next(index, attempt.LeaderHint);
        }
        Unreachable(problem ?? "no endpoint");
        return new SendOutcome(null, problem);
    }

    /// <summary>One long poll for the next order.</summary>
    public async Task<PollOutcome> PollAsync(OrderPollMessage poll, CancellationToken cancellationToken)
    {
        var frame = Sign(poll, out var previous);
        string? problem = null;
        var tried = new bool[_endpoints.Length];
        var index = Volatile.Read(ref _preferred);
        for (var round = 0; round < _endpoints.Length; round++)
        {
            index = Untried(tried, index);
            // A poll waits long by design; if a message exchange finds this endpoint dead meanwhile, the poll is abandoned
            // at once instead of holding orders back for the whole poll timeout.
            using var abandon = new CancellationTokenSource();
            var inFlight = new PollInFlight(index, abandon);
            Volatile.Write(ref _poll, inFlight);
            Attempt attempt;
            try
            {
                attempt = await ExchangeAsync(index, LinkPaths.Orders, frame, _pollTimeout, cancellationToken, abandon.Token).ConfigureAwait(false);
                if (attempt.Status == HttpStatusCode.Unauthorized && TryFallBack(poll, index, ref frame, ref previous))
                {
                    attempt = await ExchangeAsync(index, LinkPaths.Orders, frame, _pollTimeout, cancellationToken, abandon.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                Interlocked.CompareExchange(ref _poll, null, inFlight);
            }
            if (attempt.Status == HttpStatusCode.NoContent)
            {
                Volatile.Write(ref _preferred, index);
                return new PollOutcome(PollStatus.Empty, null, null);
            }
            if (attempt.Decoded?.Message is AgentOrder order)
            {
                Led(index);
                return new PollOutcome(PollStatus.Order, order, null);
            }
            if (attempt.Status == HttpStatusCode.OK)
            {
                // The leader answered, but not with an order this agent may act on: never executed.
                Volatile.Write(ref _preferred, index);
                return new PollOutcome(PollStatus.Refused, null, attempt.Problem ?? "the reply is not an order");
            }
            problem = Join(problem, attempt.Problem);
            index = Next(index, attempt.LeaderHint);
        }
        Unreachable(problem ?? "no endpoint");
        return new PollOutcome(PollStatus.Unavailable, null, problem);
    }

    /// <summary>
    /// Signs with the newest secret, or with the previous one for a while after a coordinator refused the newest during
    /// a rollover (the operator gave the agent its .next before the coordinators: TRANSPORT.md "Secret rotation").
    /// </summary>
    private byte[] Sign(AgentMessage message, out bool previous)
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _previousUntil) && _codec.TryEncodeWithPrevious(message, _hostId, out var older))
        {
            previous = true;
            return older;
        }
        previous = false;
        return _codec.Encode(message, _hostId);
    }

    /// <summary>After a 401 to a frame signed with the next secret: the same message signed with the previous one, once.</summary>
    private bool TryFallBack(AgentMessage message, int index, ref byte[] frame, ref bool previous)
    {
        if (previous || !_codec.TryEncodeWithPrevious(message, _hostId, out var older))
        {
            return false;
        }
        var now = Environment.TickCount64;
        if (Interlocked.Exchange(ref _previousUntil, now + (long)PreviousSecretHold.TotalMilliseconds) < now)
        {
            LogNextSecretRefused(_endpoints[index].ToString(), PreviousSecretHold.TotalSeconds);
        }
        frame = older;
        previous = true;
        return true;
    }

    private void AbandonPollOn(int index)
    {
        if (Volatile.Read(ref _poll) is { } poll && poll.Index == index)
        {
            try
            {
                poll.Abandon.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That poll has just ended anyway.
            }
        }
    }

    private static string? Join(string? problems, string? problem) =>
        problems is null ? problem : problem is null ? problems : $"{problems}; {problem}";

    private static int Untried(bool[] tried, int wanted)
    {
        for (var i = 0; i < tried.Length && tried[wanted]; i++)
        {
            wanted = (wanted + 1) % tried.Length;
        }
        tried[wanted] = true;
        return wanted;
    }

    /// <summary>The hinted leader when the hint names a configured endpoint, else the next endpoint in the list.</summary>
    private int Next(int index, int? hint)
    {
        if (hint is { } leader)
        {
            Volatile.Write(ref _preferred, leader);
            return leader;
        }
        return (index + 1) % _endpoints.Length;
    }

    public void Dispose() => _http.Dispose();

    private void Led(int index)
    {
        Volatile.Write(ref _preferred, index);
        _contact.Touch();
        if (Interlocked.Exchange(ref _lastProblem, null) is not null)
        {
            LogLeaderReached(_endpoints[index].ToString());
        }
    }

    private void Unreachable(string problem)
    {
        // The first failure after contact at once; after that a changed problem at most every 10 s, never one per heartbeat.
        var previous = Interlocked.Exchange(ref _lastProblem, problem);
        var now = Environment.TickCount64;
        if (previous is null || (!string.Equals(previous, problem, StringComparison.Ordinal) && now - Interlocked.Read(ref _lastLoggedAt) >= 10_000))
        {
            Interlocked.Exchange(ref _lastLoggedAt, now);
            LogNoLeader(problem);
        }
    }

    private async Task<Attempt> ExchangeAsync(int index, string path, byte[] frame, TimeSpan timeout, CancellationToken cancellationToken,
        CancellationToken abandon = default)
    {
        var endpoint = _endpoints[index];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, abandon);
        bound.CancelAfter(timeout);
        try
        {
            using var content = new ByteArrayContent(frame);
            content.Headers.ContentType = FrameType;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
            {
                Content = content,
                Version = _version,
                VersionPolicy = _versionPolicy,
            };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, bound.Token).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var body = await response.Content.ReadAsByteArrayAsync(bound.Token).ConfigureAwait(false);
                    return _codec.TryDecode(body, out var decoded, out var error)
                        ? new Attempt(HttpStatusCode.OK, decoded, null, null)
                        : new Attempt(HttpStatusCode.OK, null, $"{endpoint} sent a frame that was refused: {error}", null);
                case HttpStatusCode.NoContent:
                    return new Attempt(HttpStatusCode.NoContent, null, null, null);
                case HttpStatusCode.ServiceUnavailable:
                    return new Attempt(response.StatusCode, null, $"{endpoint} does not lead", Hint(response));
                default:
                    var text = await ReadShortTextAsync(response, bound.Token).ConfigureAwait(false);
                    return new Attempt(response.StatusCode, null, $"{endpoint} answered {(int)response.StatusCode}: {text}", null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(null, null, abandon.IsCancellationRequested
                ? $"{endpoint} poll abandoned: the endpoint failed a message exchange"
                : $"{endpoint} did not answer within {timeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException e)
        {
            return new Attempt(null, null, $"{endpoint}: {Describe(endpoint, e)}", null);
        }
    }

    /// <summary>One line saying why a request failed, with the TLS refusal's reason rather than "see inner exception".</summary>
    private string Describe(Uri endpoint, HttpRequestException e)
    {
        if (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return _certificates.RefusalOf(endpoint.Host) is { } refusal
                ? $"TLS refused: {refusal}"
                : $"TLS handshake failed: {Innermost(e)}";
        }
        if (endpoint.Scheme == Uri.UriSchemeHttp && e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            // What plain HTTP to a TLS-only port looks like from here: the server drops the connection.
            return $"{e.Message} {Innermost(e)} (an https-only coordinator port closes plain-http connections: is this endpoint https://?)";
        }
        return e.InnerException is null ? e.Message : $"{e.Message} {Innermost(e)}";
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e.Message;
    }

    private int? Hint(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(LinkPaths.LeaderHeader, out var values))
        {
            return null;
        }
        var text = values.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var hinted))
        {
            return null;
        }
        hinted = Normalize(hinted.ToString());
        var index = Array.FindIndex(_endpoints, e => Uri.Compare(e, hinted, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped,
            StringComparison.OrdinalIgnoreCase) == 0);
        return index >= 0 ? index : null;
    }

    private static async Task<string> ReadShortTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = new string([.. text.Take(200).Select(c => char.IsControl(c) ? ' ' : c)]).Trim();
            return text.Length == 0 ? "(no text)" : text;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return "(body unreadable)";
        }
    }

    private static Uri Normalize(string text)
    {
        var uri = new Uri(text, UriKind.Absolute);
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    private sealed record PollInFlight(int Index, CancellationTokenSource Abandon);

    private sealed record Attempt(HttpStatusCode? Status, DecodedMessage? Decoded, string? Problem, int? LeaderHint);

    [LoggerMessage(EventId = AgentEventIds.CoordinatorUnreachable, Level = LogLevel.Warning, Message = "No leading coordinator reached: {Problem}")]
    private partial void LogNoLeader(string problem);

    [LoggerMessage(EventId = AgentEventIds.MessageUnsendable, Level = LogLevel.Error, Message = "{Type} not sent: it breaks the protocol contract ({Why})")]
    private partial void LogUnsendable(string type, string why);

    [LoggerMessage(EventId = AgentEventIds.NextSecretRefused, Level = LogLevel.Warning,
        Message = "{Endpoint} refused this host's next secret (SecretFile.next): signing with the current one for {Seconds} s; give the coordinators <host>.key.next before the agent")]
    private partial void LogNextSecretRefused(string endpoint, double seconds);

    [LoggerMessage(EventId = AgentEventIds.CoordinatorReached, Level = LogLevel.Information, Message = "Leading coordinator reached at {Endpoint}")]
    private partial void LogLeaderReached(string endpoint);
}
