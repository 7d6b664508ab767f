namespace HaAgent.Core.Env;

/// <summary>
/// One host's record on shared storage. A host that can still write storage keeps advancing <see cref="Sequence"/>;
/// the core judges advance by its own clock, never by <see cref="WrittenAt"/> (the host's clock).
/// </summary>
/// <param name="Incarnation">Changes when the agent restarts (boot id); a new incarnation means the host rebooted.</param>
/// <param name="LastEpochSeen">The newest coordinator epoch the host has obeyed, to spot a host following a stale leader.</param>
public readonly record struct StorageHeartbeat(
    string HostId,
    long Incarnation,
    long Sequence,
    DateTimeOffset WrittenAt,
    long LastEpochSeen);
