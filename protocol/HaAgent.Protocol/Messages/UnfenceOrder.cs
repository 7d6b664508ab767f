namespace HaAgent.Protocol.Messages;

/// <summary>
/// Lift this host's fence (and its self-fence). Before lifting it the agent stops every HA VM not in
/// <see cref="AllowedVms"/>: a start that raced the fence must not get storage back (model: UNFENCE_WITHOUT_KILL).
/// </summary>
public sealed record UnfenceOrder(string OrderId, OrderStamp Stamp, IReadOnlyList<string> AllowedVms)
    : AgentOrder(OrderId, Stamp);
