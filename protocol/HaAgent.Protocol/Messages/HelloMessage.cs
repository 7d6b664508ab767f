namespace HaAgent.Protocol.Messages;

/// <summary>First message of an agent after it starts: who it is and how it can be fenced.</summary>
/// <param name="Incarnation">Grows at every agent start (persisted), so the coordinator can tell a restart.</param>
public sealed record HelloMessage(
    string HostId,
    long Incarnation,
    string AgentVersion,
    IReadOnlyList<string> Capabilities,
    FenceIdentity Fence) : AgentMessage(HostId, Incarnation);
