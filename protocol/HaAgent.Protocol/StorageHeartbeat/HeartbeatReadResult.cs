namespace HaAgent.Protocol.StorageHeartbeat;

public sealed record HeartbeatReadResult(HeartbeatReadStatus Status, HeartbeatRecord? Record, string? Problem)
{
    public static HeartbeatReadResult Empty { get; } = new(HeartbeatReadStatus.Empty, null, null);

    public static HeartbeatReadResult Valid(HeartbeatRecord record) => new(HeartbeatReadStatus.Valid, record, null);

    public static HeartbeatReadResult CorruptBecause(string problem) => new(HeartbeatReadStatus.Corrupt, null, problem);
}
