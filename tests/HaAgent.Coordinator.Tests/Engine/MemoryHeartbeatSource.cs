using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>
/// Stands in for the shared storage in the engine's decision tests: hosts that "write" advance their sequence. The
/// real readers (RADOS, iSCSI) are tested against real storage in StorageHeartbeatReaderTests.
/// </summary>
internal sealed class MemoryHeartbeatSource : IStorageHeartbeatSource
{
    private readonly Dictionary<string, HeartbeatRecord> _records = new(StringComparer.Ordinal);

    public string Name => "memory";

    public void Write(string hostId, DateTimeOffset at, DateTimeOffset? selfFencedAt = null)
    {
        lock (_records)
        {
            var sequence = _records.TryGetValue(hostId, out var previous) ? previous.Sequence + 1 : 1;
            _records[hostId] = new HeartbeatRecord(hostId, 1, sequence, at, 0, selfFencedAt, null);
        }
    }

    public IReadOnlyList<HeartbeatRecord> ReadAll(IReadOnlyList<string> hostIds, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return [.. hostIds.Where(_records.ContainsKey).Select(h => _records[h])];
        }
    }

    public void Dispose()
    {
    }
}
