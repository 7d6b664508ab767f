namespace HaAgent.Protocol.Messages;

public sealed record StartVmOrder(
    string OrderId,
    OrderStamp Stamp,
    string VmId,
    string DomainXml,
    IReadOnlyList<VolumeSpec> Volumes) : AgentOrder(OrderId, Stamp);
