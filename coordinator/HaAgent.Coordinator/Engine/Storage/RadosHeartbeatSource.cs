using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>
/// Reads RADOS objects <c>haagent.hb.HOSTID</c> (the agent's RadosHeartbeatStore) with a read-only client, several
/// hosts at once. A lost connection is dropped and made again on the next round.
/// </summary>
internal sealed class RadosHeartbeatSource(CephHeartbeatOptions options, int parallelism) : IStorageHeartbeatSource
{
    private readonly Lock _gate = new();
    private RadosCluster? _cluster;
    private RadosPool? _pool;

    public string Name => $"rados:{options.Pool}";

    public static string ObjectName(string hostId) => "haagent.hb." + hostId;

    public IReadOnlyList<HeartbeatRecord> ReadAll(IReadOnlyList<string> hostIds, CancellationToken cancellationToken)
    {
        var pool = Pool();
        var records = new HeartbeatRecord?[hostIds.Count];
        Exception? failure = null;
        try
        {
            Parallel.For(0, hostIds.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, i =>
            {
                var buffer = new byte[HeartbeatCodec.RecordSize];
                try
                {
                    var read = pool.Read(ObjectName(hostIds[i]), buffer);
                    var record = HeartbeatCodec.Read(buffer.AsSpan(0, read)).Record;
                    // A record naming another host (a copied object) is not this host's heartbeat.
                    records[i] = record is not null && record.HostId == hostIds[i] ? record : null;
                }
                catch (RadosException e) when (e.IsNotFound)
                {
                }
                catch (RadosException e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        if (failure is not null && Array.TrueForAll(records, static r => r is null))
        {
            Drop();
            throw failure;
        }
        return [.. records.Where(static r => r is not null).Select(static r => r!)];
    }

    public void Dispose() => Drop();

    private RadosPool Pool()
    {
        lock (_gate)
        {
            if (_pool is not null)
            {
                return _pool;
            }
            var cluster = RadosCluster.Connect(new RadosConnectOptions
            {
                ClientName = options.ClientName,
                ConfigFile = options.ConfigFile,
                Keyring = options.Keyring.Length > 0 ? options.Keyring : null,
                ConnectTimeout = options.OperationTimeout,
                MonOperationTimeout = options.OperationTimeout,
                OsdOperationTimeout = options.OperationTimeout,
            });
            try
            {
                _pool = cluster.OpenPool(options.Pool);
            }
            catch
            {
                cluster.Dispose();
                throw;
            }
            _cluster = cluster;
            return _pool;
        }
    }

    private void Drop()
    {
        lock (_gate)
        {
            _pool?.Dispose();
            _pool = null;
            _cluster?.Dispose();
            _cluster = null;
        }
    }
}
