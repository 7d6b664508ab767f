using HaAgent.Testing.Etcd;

namespace HaAgent.Testing.Lab;

public sealed partial class Lab
{
    /// <summary>etcd's client port in the storage namespace (its own namespace: a fixed port never collides).</summary>
    public const int EtcdClientPort = 2379;

    private readonly List<EtcdServer> _etcds = [];

    /// <summary>
    /// A single-member etcd in the storage namespace at http://127.99.0.1:2379 (beside the Ceph mon), adopted into the
    /// storage cgroup so a sweep after a crash finds it; stopped with the lab.
    /// </summary>
    public async Task<EtcdServer> StartEtcdAsync(CancellationToken cancellationToken = default)
    {
        var etcd = await EtcdServer.StartAsync(new EtcdServerOptions
        {
            BindAddress = LabAddresses.Storage,
            ClientPort = EtcdClientPort,
            PeerPort = EtcdClientPort + 1,
            NetworkNamespace = StorageNamespace,
            DataDirectory = Path.Combine(Directory, "etcd"),
        }).WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_etcds)
        {
            _etcds.Add(etcd);
        }
        StorageHost.Cgroup.Adopt(etcd.Pid);
        Say($"etcd in {StorageNamespace}: {etcd.ClientUrl} (pid {etcd.Pid})");
        return etcd;
    }

    private void DisposeEtcds()
    {
        lock (_etcds)
        {
            foreach (var etcd in _etcds)
            {
                etcd.Dispose();
            }
            _etcds.Clear();
        }
    }
}
