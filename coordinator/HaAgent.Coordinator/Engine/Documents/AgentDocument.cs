namespace HaAgent.Coordinator.Engine.Documents;

/// <summary><c>agents/&lt;hostId&gt;</c>: the fence identity the host's agent announced in its last Hello.</summary>
internal sealed record AgentDocument(
    string HostId,
    long Incarnation,
    string AgentVersion,
    List<string> CephClientAddresses,
    string? IscsiPrKey,
    DateTimeOffset UpdatedAt);
