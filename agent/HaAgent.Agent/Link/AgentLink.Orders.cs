using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Link;

/// <summary>The network heartbeat and the order loop (poll → gate → executor → result).</summary>
internal sealed partial class AgentLink
{
    /// <summary>
    /// One network heartbeat; the agent's heartbeat tick (<see cref="AgentWorker"/>, a <see cref="Heartbeat.SharedTick"/>)
    /// sends it every heartbeat interval beside the storage heartbeat, one timer for both. The tick reports an unexpected
    /// failure and sends the next heartbeat at the next tick (a silent link would self-fence the host).
    /// </summary>
    public Task SendHeartbeatAsync(CancellationToken cancellationToken) =>
        DeliverAsync(new HeartbeatMessage(_identity.HostId, _identity.Incarnation, Interlocked.Increment(ref _heartbeatSequence), _orders.Highest), cancellationToken);

    private async Task OrderLoopAsync(CancellationToken cancellationToken)
    {
        var received = default(OrderStamp);
        OrderResultMessage? pending = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (pending is not null)
                {
                    if (pending.Stamp.Epoch < Interlocked.Read(ref _leaderEpoch))
                    {
                        // A newer leader ignores results of older epochs: stop retrying.
                        LogResultUndelivered(pending.OrderId, "superseded by a newer leader");
                        pending = null;
                        continue;
                    }
                    var sent = await DeliverAsync(pending, cancellationToken).ConfigureAwait(false);
                    if (sent.Delivered || sent.Unsendable)
                    {
                        pending = null;
                    }
                    else
                    {
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }

                var poll = await _client.PollAsync(new OrderPollMessage(_identity.HostId, _identity.Incarnation, received), cancellationToken)
                    .ConfigureAwait(false);
                switch (poll.Status)
                {
                    case PollStatus.Order:
                        var order = poll.Order!;
                        if (order.Stamp > received)
                        {
                            received = order.Stamp;
                        }
                        _lastRefusedFrame = null;
                        pending = await _orders.ExecuteAsync(order, cancellationToken).ConfigureAwait(false);
                        break;
                    case PollStatus.Empty:
                        break;
                    case PollStatus.Refused:
                        if (!string.Equals(_lastRefusedFrame, poll.Problem, StringComparison.Ordinal))
                        {
                            _lastRefusedFrame = poll.Problem;
                            LogOrderFrameRefused(poll.Problem ?? "");
                        }
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
