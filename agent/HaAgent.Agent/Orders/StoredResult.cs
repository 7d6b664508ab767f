using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Orders;

internal sealed record StoredResult(string ResultId, OrderResultMessage Result);
