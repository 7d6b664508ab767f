using System.Collections.Concurrent;
using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// Orders waiting for their agent's poll (see <see cref="IAgentOrderOutbox"/> and TRANSPORT.md). Per host: a queue in
/// stamp order, (epoch, sequence) stamping with the sequence restarting at 1 in each new epoch, and at most one
/// waiting poll. An order stays queued until a poll's <c>Received</c> covers it, so a lost response is redelivered.
/// <see cref="Send"/> never throws on runtime conditions: an order it cannot queue (the host's queue is full, or a
/// newer epoch already orders that host) is counted, logged and never delivered; the engine's result timeout covers
/// it exactly like an agent that never answers.
/// </summary>
internal sealed partial class AgentOrderOutbox : IAgentOrderOutbox
{
    private readonly ConcurrentDictionary<string, HostOrderQueue> _hosts = new(StringComparer.Ordinal);
    private readonly int _maxQueued;
    private readonly AgentEndpointMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentOrderOutbox> _logger;
    private readonly LogRateLimiter _logLimit;

    public AgentOrderOutbox(IOptions<AgentEndpointOptions> options, AgentEndpointMetrics metrics, TimeProvider time, ILogger<AgentOrderOutbox> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _maxQueued = options.Value.MaxQueuedOrdersPerHost;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _logLimit = new LogRateLimiter(time, AgentEndpoint.RefusalLogInterval);
    }

    /// <summary>Orders queued for <paramref name="hostId"/> right now.</summary>
    public int QueuedFor(string hostId)
    {
        if (!_hosts.TryGetValue(hostId, out var queue))
        {
            return 0;
        }
        lock (queue)
        {
            return queue.Count;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A bad host id or epoch, or <paramref name="build"/> made an order that breaks the protocol or carries another stamp.</exception>
    public AgentOrder Send(string hostId, long epoch, Func<OrderStamp, AgentOrder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (!MessageValidator.IsId(hostId))
        {
            throw new ArgumentException($"'{hostId}' is not a valid host id", nameof(hostId));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);

        var queue = _hosts.GetOrAdd(hostId, static _ => new HostOrderQueue());
        AgentOrder order;
        PollWaiter? woken = null;
        var refusal = (AgentCounter?)null;
        var dropped = 0;
        lock (queue)
        {
            if (epoch < queue.Epoch)
            {
                // A superseded term's late order: the agent has (or will have) seen the newer epoch and would refuse it.
                order = Build(build, new OrderStamp(epoch, 1));
                refusal = AgentCounter.OrderRefusedStaleEpoch;
            }
            else
            {
                if (epoch > queue.Epoch)
                {
                    // Orders of the older term were never acknowledged: dropped, and counted as such.
                    dropped = queue.Forget(default, epoch);
                    queue.Epoch = epoch;
                    queue.Sequence = 0;
                }
                // The sequence is consumed even by a refused order so that no two orders ever share a stamp.
                order = Build(build, new OrderStamp(epoch, ++queue.Sequence));
                if (queue.Count >= _maxQueued)
                {
                    refusal = AgentCounter.OrderRefusedQueueFull;
                }
                else
                {
                    queue.Enqueue(order);
                    woken = queue.Waiter;
                    queue.Waiter = null;
                }
            }
        }

        for (var i = 0; i < dropped; i++)
        {
            _metrics.Count(AgentCounter.OrderDropped);
        }
        if (refusal is { } refused)
        {
            _metrics.Count(refused);
            if (_logLimit.TryAcquire(hostId, out var suppressed))
            {
                Log.OrderRefused(_logger, order.OrderId, order.Stamp, hostId, refused == AgentCounter.OrderRefusedQueueFull
                    ? $"{_maxQueued} orders already wait for the host's poll" : $"epoch {queue.Epoch} already orders the host", suppressed);
            }
            return order;
        }
        _metrics.Count(AgentCounter.OrderQueued);
        woken?.TrySetResult(PollEnd.Delivered);
        return order;
    }

    /// <inheritdoc/>
    public void Clear()
    {
        foreach (var queue in _hosts.Values)
        {
            PollWaiter? waiter;
            int dropped;
            lock (queue)
            {
                dropped = queue.Clear();
                waiter = queue.Waiter;
                queue.Waiter = null;
            }
            for (var i = 0; i < dropped; i++)
            {
                _metrics.Count(AgentCounter.OrderDropped);
            }
            waiter?.TrySetResult(PollEnd.Cleared);
        }
    }

    /// <summary>
    /// Serves one poll: forgets what <paramref name="received"/> covers (and orders of epochs before
    /// <paramref name="currentEpoch"/>), then returns the lowest queued order at once or waits up to
    /// <paramref name="wait"/> for one. A newer poll of the same host ends this one with <see cref="PollEnd.Superseded"/>.
    /// </summary>
    public async Task<PollResult> PollAsync(string hostId, OrderStamp received, long currentEpoch, TimeSpan wait, CancellationToken aborted)
    {
        var queue = _hosts.GetOrAdd(hostId, static _ => new HostOrderQueue());
        PollWaiter? replaced;
        var waiter = new PollWaiter();
        AgentOrder? ready;
        int dropped;
        lock (queue)
        {
            dropped = queue.Forget(received, currentEpoch);
            replaced = queue.Waiter;
            ready = queue.Head;
            queue.Waiter = ready is null ? waiter : null;
        }
        for (var i = 0; i < dropped; i++)
        {
            _metrics.Count(AgentCounter.OrderDropped);
        }
        replaced?.TrySetResult(PollEnd.Superseded);
        if (ready is not null)
        {
            return new PollResult(PollEnd.Delivered, ready);
        }

        PollEnd end;
        using (var timeout = new CancellationTokenSource(wait, _time))
        using (timeout.Token.UnsafeRegister(static w => ((PollWaiter)w!).TrySetResult(PollEnd.TimedOut), waiter))
        using (aborted.UnsafeRegister(static w => ((PollWaiter)w!).TrySetResult(PollEnd.Aborted), waiter))
        {
            end = await waiter.Task.ConfigureAwait(false);
        }

        lock (queue)
        {
            if (queue.Waiter == waiter)
            {
                queue.Waiter = null;
            }
            if (end is PollEnd.Delivered or PollEnd.TimedOut)
            {
                // Also on a timeout: an order queued in the same instant must not wait for the next poll.
                ready = queue.Head;
            }
        }
        return ready is not null ? new PollResult(PollEnd.Delivered, ready) : new PollResult(end == PollEnd.Delivered ? PollEnd.Cleared : end, null);
    }

    private static AgentOrder Build(Func<OrderStamp, AgentOrder> build, OrderStamp stamp)
    {
        var order = build(stamp) ?? throw new ArgumentException("the order builder returned null", nameof(build));
        if (order.Stamp != stamp)
        {
            throw new ArgumentException($"the order builder stamped {order.Stamp}, the outbox gave {stamp}", nameof(build));
        }
        if (MessageValidator.FirstInvalidField(order) is { } field)
        {
            throw new ArgumentException($"{order.GetType().Name}.{field} breaks the protocol contract", nameof(build));
        }
        return order;
    }
}
