namespace HaAgent.Protocol.Messages;

/// <summary>
/// A message an agent sends about its own host. <see cref="HostId"/> must equal the host id of the signed frame:
/// one host's secret cannot speak for another host.
/// </summary>
public abstract record AgentMessage(string HostId, long Incarnation) : ProtocolMessage
{
    public sealed override ProtocolDirection Direction => ProtocolDirection.AgentToCoordinator;
}
