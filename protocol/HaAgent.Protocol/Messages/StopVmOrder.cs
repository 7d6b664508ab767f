namespace HaAgent.Protocol.Messages;

public sealed record StopVmOrder(string OrderId, OrderStamp Stamp, string VmId) : AgentOrder(OrderId, Stamp);
