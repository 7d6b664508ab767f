using System.Diagnostics;
using System.Net;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Link;

/// <summary>
/// A minimal coordinator for agent tests, speaking TRANSPORT.md over a loopback HttpListener with the real
/// <see cref="ProtocolCodec"/>: acks every agent message with <see cref="Epoch"/>, records what arrived (with a
/// Stopwatch timestamp), and serves queued orders to the long poll. <see cref="Leading"/> false answers 503 with
/// <see cref="LeaderHint"/>, as a follower would (and as a coordinator that stopped leading does).
/// </summary>
internal sealed class TestCoordinator : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ProtocolCodec _codec;
    private readonly string _hostId;
    private readonly byte[] _secret;
    private readonly Lock _gate = new();
    private readonly List<Received> _received = [];
    private readonly List<Queued> _queue = [];
    private readonly SemaphoreSlim _queued = new(0);
    private readonly Task _loop;
    private long _pollGeneration;

    public TestCoordinator(string hostId, byte[] secret)
    {
        _hostId = hostId;
        _secret = secret;
        _codec = new ProtocolCodec(ProtocolDirection.AgentToCoordinator, HostSecrets.Single(hostId, secret), TimeProvider.System);
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            BaseUrl = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(BaseUrl);
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string BaseUrl { get; }

    public long Epoch { get; set; } = 1;

    public volatile bool Leading = true;

    public string LeaderHint { get; set; } = "";

    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Frames the codec refused (agent side sent something wrong).</summary>
    public List<DecodeError> Refusals { get; } = [];

    public IReadOnlyList<Received> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public IReadOnlyList<T> Messages<T>() where T : AgentMessage => [.. All.Select(r => r.Message).OfType<T>()];

    /// <summary>Queues an order; it is encoded afresh (new nonce) at each delivery until a poll's Received covers it.</summary>
    public void Enqueue(AgentOrder order)
    {
        lock (_gate)
        {
            _queue.Add(new Queued(order.Stamp, []) { Order = order });
        }
        _queued.Release();
    }

    /// <summary>Queues raw bytes as the poll answer (a garbled or replayed frame); delivered once.</summary>
    public void EnqueueFrame(OrderStamp stamp, byte[] frame)
    {
        lock (_gate)
        {
            _queue.Add(new Queued(stamp, frame));
        }
        _queued.Release();
    }

    /// <summary>Delivers an order once, whatever the agent's Received says (a stale order of a confused or old leader).</summary>
    public void EnqueueOnce(AgentOrder order) => EnqueueFrame(order.Stamp, _codec.Encode(order, _hostId));

    /// <summary>An order signed with this host's secret at a chosen time and nonce (to build a replay).</summary>
    public byte[] Sign(AgentOrder order, DateTimeOffset at, byte[] nonce) => ProtocolCodec.Encode(order, _hostId, _secret, at, nonce);

    /// <summary>Waits (bounded) for a message matching <paramref name="match"/> that arrived after <paramref name="after"/> (Stopwatch ticks).</summary>
    public async Task<Received> WaitForAsync<T>(Func<T, bool> match, TimeSpan timeout, long after = 0) where T : AgentMessage
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var hit = All.FirstOrDefault(r => r.At > after && r.Message is T m && match(m));
            if (hit is not null)
            {
                return hit;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no {typeof(T).Name} as expected within {timeout}; got: {string.Join(", ", All.Select(r => r.Message.GetType().Name).Distinct())}");
            }
            await Task.Delay(2);
        }
    }

    public Task<Received> ResultOfAsync(string orderId, TimeSpan timeout) =>
        WaitForAsync<OrderResultMessage>(r => r.OrderId == orderId, timeout);

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var request = context.Request;
            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body);
            if (!Leading)
            {
                response.StatusCode = 503;
                response.Headers["HaAgent-Leader"] = LeaderHint;
                return;
            }
            if (request.ContentType != "application/x-haagent-frame")
            {
                response.StatusCode = 415;
                return;
            }
            if (!_codec.TryDecode(body.ToArray(), out var decoded, out var error))
            {
                lock (_gate)
                {
                    Refusals.Add(error);
                }
                response.StatusCode = error.Kind switch
                {
                    DecodeErrorKind.Unauthenticated => 401,
                    DecodeErrorKind.Replayed or DecodeErrorKind.Expired => 409,
                    DecodeErrorKind.TooLarge => 413,
                    _ => 400,
                };
                return;
            }
            var message = (AgentMessage)decoded.Message;
            lock (_gate)
            {
                _received.Add(new Received(message, Stopwatch.GetTimestamp()));
            }
            if (request.Url!.AbsolutePath == "/v1/agent/orders" && message is OrderPollMessage poll)
            {
                var frame = await NextOrderAsync(poll.Received);
                if (frame is null)
                {
                    response.StatusCode = 204;
                    return;
                }
                await WriteFrameAsync(response, frame);
                return;
            }
            var ack = new HeartbeatAck(Epoch, message is HeartbeatMessage heartbeat ? heartbeat.Sequence : 0);
            await WriteFrameAsync(response, _codec.Encode(ack, _hostId));
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    private async Task<byte[]?> NextOrderAsync(OrderStamp received)
    {
        // At most one outstanding poll per host: a new poll replaces the old one, which answers 204 untouched.
        var generation = Interlocked.Increment(ref _pollGeneration);
        var deadline = Stopwatch.GetTimestamp() + (long)(PollWait.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            lock (_gate)
            {
                if (generation != Volatile.Read(ref _pollGeneration))
                {
                    return null;
                }
                _queue.RemoveAll(q => q.Stamp <= received && !q.Raw);
                if (_queue.Count > 0)
                {
                    var next = _queue.OrderBy(q => q.Stamp).First();
                    if (!next.Raw)
                    {
                        // Kept until a later poll's Received covers it, so a lost answer is delivered again.
                        return _codec.Encode(next.Order!, _hostId);
                    }
                    _queue.Remove(next);
                    return next.Frame;
                }
            }
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return null;
            }
            await _queued.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(50, left * 1000.0 / Stopwatch.Frequency)));
        }
    }

    private static async Task WriteFrameAsync(HttpListenerResponse response, byte[] frame)
    {
        response.StatusCode = 200;
        response.ContentType = "application/x-haagent-frame";
        response.ContentLength64 = frame.Length;
        await response.OutputStream.WriteAsync(frame);
    }

    internal sealed record Received(AgentMessage Message, long At);

    private sealed class Queued(OrderStamp stamp, byte[] frame)
    {
        public OrderStamp Stamp { get; } = stamp;

        public byte[] Frame { get; } = frame;

        public AgentOrder? Order { get; init; }

        public bool Raw => Order is null;
    }
}
