namespace HaAgent.Protocol.Messages;

/// <summary>Cut <see cref="Victim"/> off storage: blocklist its Ceph addresses, preempt its key on each LUN.</summary>
public sealed record FenceOrder(
    string OrderId,
    OrderStamp Stamp,
    string Victim,
    IReadOnlyList<string> CephAddresses,
    IReadOnlyList<IscsiFenceTarget> IscsiTargets) : AgentOrder(OrderId, Stamp);
