namespace HaAgent.Coordinator.Agents;

/// <summary>How an order poll ended.</summary>
internal enum PollEnd
{
    /// <summary>An order is in <see cref="PollResult.Order"/>.</summary>
    Delivered,

    /// <summary>Nothing was queued within the poll time.</summary>
    TimedOut,

    /// <summary>A newer poll of the same host took over (one outstanding poll per host).</summary>
    Superseded,

    /// <summary>The outbox was cleared: leadership was lost.</summary>
    Cleared,

    /// <summary>The agent went away.</summary>
    Aborted,
}
