namespace HaAgent.Protocol.StorageHeartbeat;

/// <summary>
/// One host's storage heartbeat. A host that can still write its storage keeps advancing <see cref="Sequence"/>; the
/// coordinator judges advance by its own clock, never by <see cref="WrittenAt"/> (this host's clock).
/// </summary>
/// <param name="Incarnation">Changes when the agent restarts; a new incarnation resets <see cref="Sequence"/>.</param>
/// <param name="LastEpochSeen">The highest coordinator epoch (fencing token) this agent has obeyed.</param>
/// <param name="SelfFencedAt">When this agent last self-fenced and has not yet been acknowledged; null if none.</param>
/// <param name="CephClientAddress">The host's own RADOS client address (IP:0/NONCE): the exact entry a peer blocklists.</param>
public sealed record HeartbeatRecord(
    string HostId,
    long Incarnation,
    long Sequence,
    DateTimeOffset WrittenAt,
    long LastEpochSeen,
    DateTimeOffset? SelfFencedAt,
    string? CephClientAddress);
