using HaAgent.Agent.Fencing;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.StorageHeartbeat;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Iscsi;
using HaAgent.Testing;
using static HaAgent.Agent.Tests.Fixtures.AgentTestHosts;

namespace HaAgent.Agent.Tests.Heartbeat;

[Collection(CephCollection.Name)]
public sealed class StorageHeartbeatTests(CephClusterFixture fixture) : IDisposable
{
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new("agent-hb");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Rados_EachRound_SequenceAdvancesAndBlocklistedHostFallsSilent()
    {
        var ceph = fixture.Cluster;
        var hostId = $"hostA-{Guid.NewGuid():N}"[..16];
        using var connections = new CephConnections(fixture.AgentOptions("hostA"));
        using var store = new RadosHeartbeatStore(connections, ceph.Pool, hostId);
        var state = new AgentStateStore(_directory.File("state.json"));
        state.TryAdmit(12, out _);
        var identity = new AgentIdentity(hostId, 777);
        var writer = new HeartbeatWriter(identity, state, [store], TimeProvider.System, WriteTimeout);
        using var reader = fixture.Connect(ceph.HostClient("hostB"));
        using var readerPool = reader.OpenPool(ceph.Pool);
        Assert.Equal(HeartbeatReadStatus.Empty, RadosHeartbeatStore.Read(readerPool, hostId).Status);

        var seen = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            var (_, errors) = await writer.WriteOnceAsync(CancellationToken.None);
            Assert.Null(Assert.Single(errors));
            seen.Add(RadosHeartbeatStore.Read(readerPool, hostId).Record!.Sequence);
        }
        Assert.Equal([1, 2, 3], seen);
        var last = RadosHeartbeatStore.Read(readerPool, hostId).Record!;
        Assert.Equal(hostId, last.HostId);
        Assert.Equal(777, last.Incarnation);
        Assert.Equal(12, last.LastEpochSeen);
        Assert.NotNull(last.CephClientAddress);

        // The address the record advertises is exactly what a peer blocklists to silence it.
        using var fencer = fixture.Connect(ceph.Fencer);
        var address = RadosClientAddress.Parse(last.CephClientAddress);
        fencer.Blocklist.Add(address, TimeSpan.FromMinutes(10));
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            Exception? error;
            do
            {
                (_, var errors) = await writer.WriteOnceAsync(CancellationToken.None);
                error = errors[0];
            }
            while (error is null && DateTime.UtcNow < deadline);
            Assert.True(Assert.IsType<RadosException>(error).IsBlocklisted, error.Message);
            var frozen = RadosHeartbeatStore.Read(readerPool, hostId).Record!.Sequence;

            for (var round = 0; round < 3; round++)
            {
                var (_, errors) = await writer.WriteOnceAsync(CancellationToken.None);
                Assert.True(Assert.IsType<RadosException>(errors[0]).IsBlocklisted);
            }
            Assert.Equal(frozen, RadosHeartbeatStore.Read(readerPool, hostId).Record!.Sequence);
            Assert.True(writer.Sequence > frozen);
        }
        finally
        {
            fencer.Blocklist.Remove(address);
        }
    }

    [SkippableFact]
    public async Task Iscsi_SlotsPerHost_AdvanceAndPreemptedHostFallsSilent()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vmA = VmSession(target, VmInitiatorA);
        using var vmB = VmSession(target, VmInitiatorB);
        vmA.Register(KeyA);
        vmB.Register(KeyB);
        vmB.Reserve(KeyB, Type5);
        var lun = new IscsiLunAddress(target.Portal, target.TargetIqn, 1);
        using var poolA = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorA, KeyA));
        using var poolB = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));
        var writerA = new HeartbeatWriter(new AgentIdentity("hostA", 1), new AgentStateStore(_directory.File("a.json")),
            [new IscsiHeartbeatStore(poolA, lun, 3)], TimeProvider.System, WriteTimeout);
        var writerB = new HeartbeatWriter(new AgentIdentity("hostB", 2), new AgentStateStore(_directory.File("b.json")),
            [new IscsiHeartbeatStore(poolB, lun, 5)], TimeProvider.System, WriteTimeout);

        for (var round = 1; round <= 3; round++)
        {
            Assert.Null(Assert.Single((await writerA.WriteOnceAsync(CancellationToken.None)).Errors));
            Assert.Null(Assert.Single((await writerB.WriteOnceAsync(CancellationToken.None)).Errors));
            Assert.Equal(round, ReadSlot(vmB, 3).Sequence);
            Assert.Equal("hostA", ReadSlot(vmB, 3).HostId);
            Assert.Equal(round, ReadSlot(vmB, 5).Sequence);
        }
        Assert.Equal(HeartbeatReadStatus.Empty, IscsiHeartbeatStore.Read(vmB, 4).Status);

        var fence = await Executor(new AgentStateStore(_directory.File("fence.json")), null, poolB)
            .ExecuteAsync(new FenceCommand("f-1", 1, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));
        Assert.True(fence.Succeeded, string.Join("; ", fence.Failures));

        var (_, errors) = await writerA.WriteOnceAsync(CancellationToken.None);
        Assert.IsType<ReservationConflictException>(errors[0]);
        Assert.Null((await writerB.WriteOnceAsync(CancellationToken.None)).Errors[0]);
        Assert.Equal(3, ReadSlot(vmB, 3).Sequence);
        Assert.Equal(4, ReadSlot(vmB, 5).Sequence);
    }

    private static HeartbeatRecord ReadSlot(IscsiSession session, int slot)
    {
        var result = IscsiHeartbeatStore.Read(session, slot);
        Assert.Equal(HeartbeatReadStatus.Valid, result.Status);
        return result.Record!;
    }
}
