namespace HaAgent.Protocol.StorageHeartbeat;

public enum HeartbeatReadStatus
{
    /// <summary>A valid record.</summary>
    Valid,
    /// <summary>Nothing written yet (no object, or an all-zero slot).</summary>
    Empty,
    /// <summary>Bytes that are not a valid record: never to be read as a heartbeat.</summary>
    Corrupt,
}
