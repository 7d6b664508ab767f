namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>One host's heartbeat record as read from shared storage (the agent's HeartbeatRecord, read side).</summary>
/// <param name="SelfFencedAt">Set while the agent has self-fenced and was not unfenced yet: reaches us without the network.</param>
internal sealed record StorageHeartbeatRecord(
    string HostId,
    long Incarnation,
    long Sequence,
    DateTimeOffset WrittenAt,
    long LastEpochSeen,
    DateTimeOffset? SelfFencedAt);
