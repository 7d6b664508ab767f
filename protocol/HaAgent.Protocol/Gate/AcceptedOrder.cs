using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Gate;

public sealed record AcceptedOrder(OrderStamp Stamp, string OrderId);
