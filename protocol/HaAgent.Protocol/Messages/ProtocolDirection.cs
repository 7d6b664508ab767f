namespace HaAgent.Protocol.Messages;

/// <summary>Signed into every frame so a captured frame cannot be reflected back to its sender.</summary>
public enum ProtocolDirection : byte
{
    AgentToCoordinator = 1,
    CoordinatorToAgent = 2,
}
