namespace HaAgent.Protocol.Messages;

/// <summary>Reply to a heartbeat. <see cref="Epoch"/> lets the agent raise its stamp floor before any order of the
/// new leader arrives.</summary>
public sealed record HeartbeatAck(long Epoch, long HeartbeatSequence) : ProtocolMessage
{
    public override ProtocolDirection Direction => ProtocolDirection.CoordinatorToAgent;
}
