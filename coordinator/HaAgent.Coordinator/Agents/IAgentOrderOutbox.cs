using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// Orders waiting for their agent's next poll (<c>POST /v1/agent/orders</c>). The outbox stamps each order with
/// (epoch, next sequence for that host) so one leader's orders to one agent form one ordered stream; a new epoch
/// starts its sequence again at 1. Implemented by the agent endpoint, used by the engine.
/// </summary>
internal interface IAgentOrderOutbox
{
    /// <summary>Stamps the order <paramref name="build"/> makes and queues it for <paramref name="hostId"/>.</summary>
    AgentOrder Send(string hostId, long epoch, Func<OrderStamp, AgentOrder> build);

    /// <summary>Forgets every queued order (leadership lost: a later leader orders under its own epoch).</summary>
    void Clear();
}
