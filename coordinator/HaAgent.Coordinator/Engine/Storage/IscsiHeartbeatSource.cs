using HaAgent.NativeInterop.Iscsi;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>
/// Reads the shared heartbeat LUN (the agent's IscsiHeartbeatStore: slot N = blocks N·k.. of k blocks covering 512
/// bytes) in a few large reads covering every configured slot. Reads need no reservation key: under a
/// registrants-only reservation of type "write exclusive" anyone may read.
/// </summary>
internal sealed class IscsiHeartbeatSource(IscsiHeartbeatOptions options) : IStorageHeartbeatSource
{
    private const int SlotsPerRead = 256;
    private IscsiSession? _session;

    public string Name => $"iscsi:{options.Portal}/{options.TargetIqn}/{options.Lun}";

    public IReadOnlyList<HeartbeatRecord> ReadAll(IReadOnlyList<string> hostIds, CancellationToken cancellationToken)
    {
        var wanted = new List<(string HostId, int Slot)>();
        foreach (var hostId in hostIds)
        {
            if (options.Slots.TryGetValue(hostId, out var slot))
            {
                wanted.Add((hostId, slot));
            }
        }
        if (wanted.Count == 0)
        {
            return [];
        }
        wanted.Sort(static (a, b) => a.Slot.CompareTo(b.Slot));
        try
        {
            return Read(Session(), wanted, cancellationToken);
        }
        catch (Exception e) when (e is IscsiTransportException or ScsiCommandException or IscsiConnectException or ArgumentOutOfRangeException)
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _session?.Dispose();
        _session = null;
    }

    private static List<HeartbeatRecord> Read(IscsiSession session, List<(string HostId, int Slot)> wanted, CancellationToken cancellationToken)
    {
        var blockSize = session.Capacity.BlockSize;
        var blocksPerSlot = (HeartbeatCodec.RecordSize + blockSize - 1) / blockSize;
        var slotBytes = blocksPerSlot * blockSize;
        var records = new List<HeartbeatRecord>(wanted.Count);
        var index = 0;
        while (index < wanted.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var first = wanted[index].Slot;
            var last = first;
            var end = index;
            while (end + 1 < wanted.Count && wanted[end + 1].Slot - first < SlotsPerRead)
            {
                end++;
                last = wanted[end].Slot;
            }
            var data = session.RetryOnUnitAttention(s => s.ReadBlocks((ulong)first * (ulong)blocksPerSlot, (last - first + 1) * blocksPerSlot));
            for (var i = index; i <= end; i++)
            {
                var (hostId, slot) = wanted[i];
                var record = HeartbeatCodec.Read(data.AsSpan((slot - first) * slotBytes, slotBytes)).Record;
                if (record is not null && record.HostId == hostId)
                {
                    records.Add(record);
                }
            }
            index = end + 1;
        }
        return records;
    }

    private IscsiSession Session() =>
        _session ??= IscsiSession.Connect(options.Portal, options.TargetIqn, options.Lun, options.InitiatorIqn, options.CommandTimeout);
}
