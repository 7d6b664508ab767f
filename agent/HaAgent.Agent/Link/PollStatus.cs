namespace HaAgent.Agent.Link;

internal enum PollStatus
{
    /// <summary>The leader sent an authentic order.</summary>
    Order,
    /// <summary>The leader had nothing within its poll time (204).</summary>
    Empty,
    /// <summary>The leader answered with a frame the codec refused (garbled, replayed, expired, wrong host): nothing is executed.</summary>
    Refused,
    /// <summary>No endpoint leads or answers.</summary>
    Unavailable,
}
