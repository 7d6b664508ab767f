using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Gate;

/// <summary>
/// The agent's admission rule for orders, pure and single-threaded (call it from the one loop that executes orders).
/// An order is obeyed only if its stamp is above every stamp obeyed before ((epoch, sequence) lexicographic, so a new
/// leader's epoch resets the sequence); a retry of a finished order gets the remembered result instead of a second
/// execution; starts are refused while self-fenced until an unfence has succeeded. Refusals change nothing.
/// </summary>
public sealed class OrderGate
{
    /// <summary>Finished orders remembered for retries; older ones are answered <see cref="GateVerdict.Stale"/>.</summary>
    public const int MaxRememberedResults = 256;

    private readonly SortedDictionary<OrderStamp, RememberedResult> _results = [];
    private readonly SortedDictionary<OrderStamp, string> _accepted = [];
    private readonly HashSet<OrderStamp> _running = [];

    public OrderGate()
        : this(OrderGateState.Initial)
    {
    }

    /// <summary>Restores the persisted state after a restart. Orders accepted but unfinished come back as
    /// <see cref="GateVerdict.Resumed"/> when the coordinator retries them.</summary>
    public OrderGate(OrderGateState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.FormatVersion != OrderGateState.CurrentFormatVersion)
        {
            throw new ArgumentException($"order gate state format {state.FormatVersion} is not {OrderGateState.CurrentFormatVersion}", nameof(state));
        }

        Highest = state.Highest;
        SelfFenced = state.SelfFenced;
        foreach (var accepted in state.Accepted)
        {
            _accepted[accepted.Stamp] = accepted.OrderId;
        }

        foreach (var result in state.Results)
        {
            _results[result.Stamp] = result;
        }

        // A hand-edited or torn file must never lower the floor below an order the agent already took.
        foreach (var stamp in _accepted.Keys.Concat(_results.Keys))
        {
            if (stamp > Highest)
            {
                Highest = stamp;
            }
        }
    }

    public OrderStamp Highest { get; private set; }

    public bool SelfFenced { get; private set; }

    public OrderAdmission Admit(AgentOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var stamp = order.Stamp;

        if (_results.TryGetValue(stamp, out var done))
        {
            return string.Equals(done.OrderId, order.OrderId, StringComparison.Ordinal)
                ? new(GateVerdict.AlreadyDone, done.ResultId, null)
                : new(GateVerdict.Conflicting, null, null);
        }

        if (_accepted.TryGetValue(stamp, out var acceptedId))
        {
            if (!string.Equals(acceptedId, order.OrderId, StringComparison.Ordinal))
            {
                return new(GateVerdict.Conflicting, null, null);
            }

            if (_running.Contains(stamp))
            {
                return new(GateVerdict.InProgress, null, null);
            }

            if (order is StartVmOrder && SelfFenced)
            {
                return new(GateVerdict.SelfFenced, null, null);
            }

            _running.Add(stamp);
            return new(GateVerdict.Resumed, null, null);
        }

        if (stamp <= Highest)
        {
            return new(GateVerdict.Stale, null, null);
        }

        if (order is StartVmOrder && SelfFenced)
        {
            return new(GateVerdict.SelfFenced, null, null);
        }

        Highest = stamp;
        _accepted[stamp] = order.OrderId;
        _running.Add(stamp);
        return new(GateVerdict.Accepted, null, Snapshot());
    }

    /// <summary>
    /// Records the end of an accepted order. A succeeded unfence lifts the self-fence. Returns the state to persist
    /// before the result is sent.
    /// </summary>
    public OrderGateState Complete(AgentOrder order, string resultId, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentException.ThrowIfNullOrEmpty(resultId);
        if (!_accepted.TryGetValue(order.Stamp, out var acceptedId) || !string.Equals(acceptedId, order.OrderId, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"order {order.OrderId} at {order.Stamp} was not accepted");
        }

        _accepted.Remove(order.Stamp);
        _running.Remove(order.Stamp);
        _results[order.Stamp] = new RememberedResult(order.Stamp, order.OrderId, resultId);
        while (_results.Count > MaxRememberedResults)
        {
            _results.Remove(_results.Keys.First());
        }

        if (order is UnfenceOrder && succeeded)
        {
            SelfFenced = false;
        }

        return Snapshot();
    }

    /// <summary>The agent fenced itself: from now on starts are refused until an unfence succeeds. Persist the result.</summary>
    public OrderGateState EnterSelfFence()
    {
        SelfFenced = true;
        return Snapshot();
    }

    /// <summary>
    /// A heartbeat ack named the current leader epoch: refuse everything of older leaders from now on.
    /// Returns the state to persist when the floor rose, else null.
    /// </summary>
    public OrderGateState? ObserveEpoch(long epoch)
    {
        if (epoch <= Highest.Epoch)
        {
            return null;
        }

        Highest = new OrderStamp(epoch, 0);
        return Snapshot();
    }

    public OrderGateState Snapshot() => new(
        OrderGateState.CurrentFormatVersion,
        Highest,
        SelfFenced,
        _accepted.Select(a => new AcceptedOrder(a.Key, a.Value)).ToArray(),
        _results.Values.ToArray());
}
