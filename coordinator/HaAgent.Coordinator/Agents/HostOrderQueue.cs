using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// One host's orders in stamp order, its stamp counter and its one waiting poll. Every member is used under a lock on
/// the instance, held only for a few list operations.
/// </summary>
internal sealed class HostOrderQueue
{
    private readonly Queue<AgentOrder> _orders = new();

    /// <summary>The newest epoch that ordered this host and the last sequence stamped in it; kept across clears so no stamp is ever reused.</summary>
    public long Epoch { get; set; }

    public long Sequence { get; set; }

    public int Count => _orders.Count;

    public PollWaiter? Waiter { get; set; }

    public void Enqueue(AgentOrder order) => _orders.Enqueue(order);

    public AgentOrder? Head => _orders.TryPeek(out var order) ? order : null;

    /// <summary>Drops orders the agent has received (stamp ≤ <paramref name="received"/>) and orders of epochs older than <paramref name="currentEpoch"/>.</summary>
    /// <returns>How many orders of an older epoch were dropped undelivered.</returns>
    public int Forget(OrderStamp received, long currentEpoch)
    {
        var stale = 0;
        // Stamps grow along the queue, so whatever is covered or stale sits at its head.
        while (_orders.TryPeek(out var head) && (head.Stamp <= received || head.Stamp.Epoch < currentEpoch))
        {
            if (head.Stamp > received)
            {
                stale++;
            }
            _orders.Dequeue();
        }
        return stale;
    }

    /// <returns>How many orders were dropped.</returns>
    public int Clear()
    {
        var dropped = _orders.Count;
        _orders.Clear();
        return dropped;
    }
}
