using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Link;

/// <summary>A message delivered to a leading coordinator (<see cref="Ack"/> set), or why no endpoint took it.</summary>
internal sealed record SendOutcome(HeartbeatAck? Ack, string? Problem)
{
    public bool Delivered => Ack is not null;
}
