using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>One way to read hosts' heartbeat records from shared storage (a RADOS pool, a shared LUN).</summary>
internal interface IStorageHeartbeatSource : IDisposable
{
    string Name { get; }

    /// <summary>Reads the records of <paramref name="hostIds"/>; a host with no valid record is left out. Throws when the storage cannot be read at all.</summary>
    IReadOnlyList<HeartbeatRecord> ReadAll(IReadOnlyList<string> hostIds, CancellationToken cancellationToken);
}
