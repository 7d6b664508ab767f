namespace HaAgent.Protocol.Messages;

/// <summary>
/// Lift this host's fence (and its self-fence): remove the blocklist entries in <see cref="CephAddresses"/> and
/// register this host's key again on every LUN in <see cref="IscsiTargets"/> (their <c>VictimKey</c> is this host's
/// own key). Before lifting it the agent stops every HA VM not in <see cref="AllowedVms"/>: a start that raced the
/// fence must not get storage back (model: UNFENCE_WITHOUT_KILL). Empty target lists lift only the self-fence.
/// </summary>
public sealed record UnfenceOrder(
    string OrderId,
    OrderStamp Stamp,
    IReadOnlyList<string> AllowedVms,
    IReadOnlyList<string> CephAddresses,
    IReadOnlyList<IscsiFenceTarget> IscsiTargets)
    : AgentOrder(OrderId, Stamp);
