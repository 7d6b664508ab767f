using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Link;

/// <summary>A message delivered to a leading coordinator (<see cref="Ack"/> set), or why no endpoint took it.</summary>
/// <param name="Unsendable">The message itself breaks the protocol contract: retrying it cannot help.</param>
internal sealed record SendOutcome(HeartbeatAck? Ack, string? Problem, bool Unsendable = false)
{
    public bool Delivered => Ack is not null;
}
