using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Engine;
using HaAgent.Protocol.StorageHeartbeat;
using HaAgent.Testing.Ceph;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine's reader against real Ceph, reading records written with the agent's own codec by a host's own client.</summary>
[Collection(CephCollection.Name)]
public sealed class StorageHeartbeatReaderTests(CephClusterFixture fixture)
{
    [SkippableFact]
    public void ReadOnce_RecordsWrittenByAgentsCodec_ServedFromMemoryAndSelfFenceNoticedOnce()
    {
        var cluster = fixture.Cluster;
        var written = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var hostA = $"hb-a-{Guid.NewGuid():N}"[..20];
        var hostB = $"hb-b-{Guid.NewGuid():N}"[..20];
        using (var client = fixture.Connect(cluster.HostClient("hostA")))
        using (var pool = client.OpenPool(cluster.Pool))
        {
            pool.WriteFull(RadosHeartbeatSource.ObjectName(hostA), HeartbeatCodec.Encode(new HeartbeatRecord(hostA, 7, 41, written, 3, null, "127.0.0.1:0/99")));
            pool.WriteFull(RadosHeartbeatSource.ObjectName(hostB), HeartbeatCodec.Encode(new HeartbeatRecord(hostB, 9, 5, written, 3, written.AddSeconds(-2), null)));
        }
        using var monitor = Monitor(cluster);
        monitor.SetHosts([hostA, hostB, "never-wrote"]);

        monitor.ReadOnce(CancellationToken.None);

        Assert.True(monitor.TryRead(hostA, out var a));
        Assert.Equal((hostA, 7L, 41L, written, 3L), (a.HostId, a.Incarnation, a.Sequence, a.WrittenAt, a.LastEpochSeen));
        Assert.False(monitor.TryRead("never-wrote", out _));
        Assert.True(monitor.TryTakeSelfFence(out var selfFence));
        Assert.Equal((hostB, 9L), (selfFence.HostId, selfFence.Incarnation));
        Assert.False(monitor.TryTakeSelfFence(out _));

        using (var client = fixture.Connect(cluster.HostClient("hostA")))
        using (var pool = client.OpenPool(cluster.Pool))
        {
            pool.WriteFull(RadosHeartbeatSource.ObjectName(hostA), HeartbeatCodec.Encode(new HeartbeatRecord(hostA, 7, 42, written.AddSeconds(1), 4, null, null)));
        }
        monitor.ReadOnce(CancellationToken.None);

        Assert.True(monitor.TryRead(hostA, out a));
        Assert.Equal((42L, 4L), (a.Sequence, a.LastEpochSeen));
        Assert.False(monitor.TryTakeSelfFence(out _)); // the same self-fence is reported once
    }

    [SkippableFact]
    public void ReadOnce_TornOrForeignObject_NeverReadAsHeartbeat()
    {
        var cluster = fixture.Cluster;
        var host = $"hb-t-{Guid.NewGuid():N}"[..20];
        var other = $"hb-o-{Guid.NewGuid():N}"[..20];
        var record = HeartbeatCodec.Encode(new HeartbeatRecord(host, 1, 1, DateTimeOffset.UnixEpoch, 0, null, null));
        record[90] ^= 0xFF; // a torn write: the checksum no longer matches
        using (var client = fixture.Connect(cluster.HostClient("hostB")))
        using (var pool = client.OpenPool(cluster.Pool))
        {
            pool.WriteFull(RadosHeartbeatSource.ObjectName(host), record);
            // A copy of another host's record under this host's name is not this host's heartbeat.
            pool.WriteFull(RadosHeartbeatSource.ObjectName(other), HeartbeatCodec.Encode(new HeartbeatRecord(host, 1, 2, DateTimeOffset.UnixEpoch, 0, null, null)));
        }
        using var monitor = Monitor(cluster);
        monitor.SetHosts([host, other]);

        monitor.ReadOnce(CancellationToken.None);

        Assert.False(monitor.TryRead(host, out _));
        Assert.False(monitor.TryRead(other, out _));
    }

    [SkippableFact]
    public void ReadOnce_ClusterUnreachable_KeepsLastValuesAndDoesNotThrow()
    {
        var cluster = fixture.Cluster;
        using var monitor = new StorageHeartbeatMonitor(
            [new RadosHeartbeatSource(new CephHeartbeatOptions
            {
                ConfigFile = cluster.ConfigPath,
                ClientName = cluster.Admin.Name,
                Keyring = cluster.Admin.KeyringPath,
                Pool = "no-such-pool",
                OperationTimeout = TimeSpan.FromSeconds(2),
            }, 4)],
            TimeSpan.FromSeconds(1),
            TimeProvider.System,
            NullLogger.Instance);
        monitor.SetHosts(["h1"]);

        monitor.ReadOnce(CancellationToken.None);

        Assert.False(monitor.TryRead("h1", out _));
    }

    private static StorageHeartbeatMonitor Monitor(CephCluster cluster) => new(
        [new RadosHeartbeatSource(new CephHeartbeatOptions
        {
            ConfigFile = cluster.ConfigPath,
            ClientName = cluster.Admin.Name,
            Keyring = cluster.Admin.KeyringPath,
            Pool = cluster.Pool,
        }, 4)],
        TimeSpan.FromSeconds(1),
        TimeProvider.System,
        NullLogger.Instance);
}
