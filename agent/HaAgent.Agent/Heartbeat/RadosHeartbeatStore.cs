using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Agent.Heartbeat;

/// <summary>
/// The heartbeat as RADOS object <c>haagent.hb.HOSTID</c>, written whole by the host's own client. Once that client is
/// blocklisted every write fails with ESHUTDOWN and the store does NOT reconnect (a new client would get a new nonce
/// and slip past an exact-client fence): the heartbeat stays silent until the unfence resets the connection.
/// </summary>
internal sealed class RadosHeartbeatStore : IHeartbeatStore, IDisposable
{
    private readonly CephConnections _connections;
    private readonly string _poolName;
    private readonly string _objectName;
    private readonly Lock _gate = new();
    private RadosCluster? _cluster;
    private RadosPool? _pool;
    private string? _clientAddress;

    public RadosHeartbeatStore(CephConnections connections, string poolName, string hostId)
    {
        _connections = connections;
        _poolName = poolName;
        _objectName = ObjectName(hostId);
    }

    public string Name => $"rados:{_poolName}/{_objectName}";

    /// <summary>Known once connected; read without the write lock so a slow write never stalls a round.</summary>
    public string? CephClientAddress => Volatile.Read(ref _clientAddress);

    public static string ObjectName(string hostId) => "haagent.hb." + hostId;

    public void Write(HeartbeatRecord record)
    {
        var block = HeartbeatCodec.Encode(record);
        lock (_gate)
        {
            var pool = Pool();
            try
            {
                pool.WriteFull(_objectName, block);
            }
            catch (RadosException e) when (!e.IsBlocklisted)
            {
                Drop();
                throw;
            }
        }
    }

    /// <summary>Reads host <paramref name="hostId"/>'s record through any client of the cluster (the coordinator's reader).</summary>
    public static HeartbeatReadResult Read(RadosPool pool, string hostId)
    {
        var buffer = new byte[HeartbeatCodec.RecordSize];
        int read;
        try
        {
            read = pool.Read(ObjectName(hostId), buffer);
        }
        catch (RadosException e) when (e.IsNotFound)
        {
            return HeartbeatReadResult.Empty;
        }
        return HeartbeatCodec.Read(buffer.AsSpan(0, read));
    }

    /// <summary>Forgets the connection so the next write connects anew (after an unfence).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            Drop();
        }
    }

    public void Dispose() => Reset();

    private RadosPool Pool()
    {
        if (_pool is not null)
        {
            return _pool;
        }
        var cluster = _connections.Host();
        _cluster = cluster;
        Volatile.Write(ref _clientAddress, cluster.ClientAddress.ToString());
        _pool = cluster.OpenPool(_poolName);
        return _pool;
    }

    private void Drop()
    {
        _pool?.Dispose();
        _pool = null;
        if (_cluster is not null)
        {
            _connections.Reset(_cluster);
            _cluster = null;
        }
    }
}
