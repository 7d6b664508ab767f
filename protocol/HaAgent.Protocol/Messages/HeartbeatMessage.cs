namespace HaAgent.Protocol.Messages;

/// <summary>Network heartbeat. <see cref="LastStamp"/> is the highest order stamp the agent has accepted.</summary>
public sealed record HeartbeatMessage(string HostId, long Incarnation, long Sequence, OrderStamp LastStamp)
    : AgentMessage(HostId, Incarnation);
