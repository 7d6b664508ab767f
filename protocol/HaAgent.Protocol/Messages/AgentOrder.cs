namespace HaAgent.Protocol.Messages;

/// <summary>An order from the coordinator to one agent. The stamp decides whether the agent may obey it
/// (see <see cref="Gate.OrderGate"/>).</summary>
public abstract record AgentOrder(string OrderId, OrderStamp Stamp) : ProtocolMessage
{
    public sealed override ProtocolDirection Direction => ProtocolDirection.CoordinatorToAgent;
}
