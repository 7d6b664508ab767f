namespace HaAgent.Protocol.Messages;

/// <summary>
/// The agent's long poll for orders (<c>POST /v1/agent/orders</c>). <see cref="Received"/> is the highest stamp the
/// agent has received so far: the coordinator forgets queued orders at or below it and answers with the next one,
/// or with nothing when the poll times out. One poll at a time per agent makes one ordered stream per leader and agent.
/// </summary>
public sealed record OrderPollMessage(string HostId, long Incarnation, OrderStamp Received)
    : AgentMessage(HostId, Incarnation);
