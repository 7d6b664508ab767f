using System.Text;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Libvirt;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static HaAgent.Agent.Tests.Fixtures.AgentTestHosts;

namespace HaAgent.Agent.Tests.Fencing;

[Collection(CephCollection.Name)]
public sealed class CephFenceTests(CephClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new("agent-fence");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Execute_CephClientAddress_VictimWriteRefusedAndProvenByEpoch()
    {
        var ceph = fixture.Cluster;
        var objectName = $"vm-disk-{Guid.NewGuid():N}";
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        using var victimPool = victim.OpenPool(ceph.Pool);
        victimPool.WriteFull(objectName, "before-fence"u8);
        using var connections = new CephConnections(fixture.AgentOptions("hostB"));
        var executor = Executor(new AgentStateStore(_directory.File("state.json")), connections, null);

        var report = await executor.ExecuteAsync(new FenceCommand("f-1", 7, "hostA", [new CephFenceTarget([victim.ClientAddress.ToString()], [])]));
        try
        {
            Assert.True(report.Succeeded, string.Join("; ", report.Failures));
            var proof = Assert.IsType<CephBlocklistProof>(Assert.Single(report.Proofs));
            output.WriteLine($"{proof} in {report.Elapsed.TotalMilliseconds:F1} ms");
            var entry = Assert.Single(proof.Entries);
            Assert.Equal(victim.ClientAddress.ToString(), entry.Address);
            Assert.False(entry.WholeHost);
            Assert.True(entry.Until > DateTimeOffset.UtcNow.AddDays(365), $"expiry {entry.Until} should be years away");
            Assert.True(proof.ObservedEpoch >= proof.BlocklistEpoch);

            var (lastAcknowledged, refused) = WriteUntilRefused(victimPool, objectName, "before-fence");
            Assert.True(refused.IsBlocklisted, refused.Message);
            using var reader = fixture.Connect(ceph.HostClient("hostB"));
            using var readerPool = reader.OpenPool(ceph.Pool);
            Assert.Equal(lastAcknowledged, Encoding.UTF8.GetString(readerPool.ReadAll(objectName)));
            Assert.Equal(7, new AgentStateStore(_directory.File("state.json")).HighestToken);
        }
        finally
        {
            using var admin = fixture.Connect(ceph.Admin);
            admin.Blocklist.Remove(victim.ClientAddress);
        }
    }

    [SkippableFact]
    public async Task Execute_StaleToken_RefusedEvenAfterRestartAndNothingChanged()
    {
        var ceph = fixture.Cluster;
        var objectName = $"vm-disk-{Guid.NewGuid():N}";
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        using var victimPool = victim.OpenPool(ceph.Pool);
        var statePath = _directory.File("state.json");
        Assert.True(new AgentStateStore(statePath).TryAdmit(10, out _));
        using var connections = new CephConnections(fixture.AgentOptions("hostB"));
        using var fencer = fixture.Connect(ceph.Fencer);
        var epochBefore = fencer.GetOsdMapEpoch();

        // A new store is what an agent restart sees: the token came back from disk.
        var executor = Executor(new AgentStateStore(statePath), connections, null);
        var report = await executor.ExecuteAsync(new FenceCommand("f-old", 9, "hostA", [new CephFenceTarget([victim.ClientAddress.ToString()], [])]));

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FenceFailureKind.StaleToken, failure.Kind);
        Assert.Empty(report.Proofs);
        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Address == victim.ClientAddress);
        Assert.Equal(epochBefore, fencer.GetOsdMapEpoch());
        victimPool.WriteFull(objectName, "still-writing"u8);
        Assert.Equal(10, new AgentStateStore(statePath).HighestToken);
    }

    [SkippableFact]
    public async Task Execute_NonceZeroAsClientAddress_InvalidOrderAndTokenNotRaised()
    {
        var ceph = fixture.Cluster;
        using var connections = new CephConnections(fixture.AgentOptions("hostB"));
        var state = new AgentStateStore(_directory.File("state.json"));
        var executor = Executor(state, connections, null);

        var report = await executor.ExecuteAsync(new FenceCommand("f-bad", 3, "hostA", [new CephFenceTarget(["127.0.0.1:0/0", "nonsense"], ["not-an-ip"])]));

        Assert.Equal(3, report.Failures.Count);
        Assert.All(report.Failures, f => Assert.Equal(FenceFailureKind.InvalidOrder, f.Kind));
        Assert.Equal(0, state.HighestToken);
        using var fencer = fixture.Connect(ceph.Fencer);
        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Target == "127.0.0.1:0/0");
    }

    [SkippableFact]
    public async Task Unfence_OwnEntryWithVmsDead_RemovedAndHostWritesAgain()
    {
        var ceph = fixture.Cluster;
        var objectName = $"vm-disk-{Guid.NewGuid():N}";
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        using var victimPool = victim.OpenPool(ceph.Pool);
        var address = victim.ClientAddress;
        using var fencerB = new CephConnections(fixture.AgentOptions("hostB"));
        var fence = await Executor(new AgentStateStore(_directory.File("b.json")), fencerB, null)
            .ExecuteAsync(new FenceCommand("f-2", 4, "hostA", [new CephFenceTarget([address.ToString()], [])]));
        Assert.True(fence.Succeeded, string.Join("; ", fence.Failures));
        WriteUntilRefused(victimPool, objectName, "");

        using var node = LibvirtTestNode.Create([new TestDomain("ha-web", Guid.NewGuid(), Running: false)]);
        using var agentA = new CephConnections(fixture.AgentOptions("hostA"));
        var unfence = new UnfenceExecutor(new AgentStateStore(_directory.File("a.json")), agentA, null,
            new LibvirtLeftoverVmCheck(new() { Uri = node.Uri }), StepTimeout, NullLogger<UnfenceExecutor>.Instance);

        var report = await unfence.ExecuteAsync(new UnfenceCommand("u-1", 4, [address.ToString()], [], CallerConfirmsVmsDead: true));

        Assert.True(report.Succeeded, string.Join("; ", report.Failures));
        Assert.Equal([address.ToString()], Assert.IsType<CephUnblockProof>(Assert.Single(report.Proofs)).Removed);
        using var fencer = fixture.Connect(ceph.Fencer);
        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Address == address);
        using var again = fixture.Connect(ceph.HostClient("hostA"));
        using var againPool = again.OpenPool(ceph.Pool);
        againPool.WriteFull(objectName, "after-unfence"u8);
        Assert.Equal("after-unfence", Encoding.UTF8.GetString(againPool.ReadAll(objectName)));
    }

    [SkippableFact]
    public async Task Unfence_ManagedVmStillRunning_RefusedAndEntryStays()
    {
        var ceph = fixture.Cluster;
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        var address = victim.ClientAddress;
        using var admin = fixture.Connect(ceph.Admin);
        admin.Blocklist.Add(address, TimeSpan.FromMinutes(10));
        try
        {
            using var node = LibvirtTestNode.Create([new TestDomain("ha-web", Guid.NewGuid(), Running: true)]);
            using var agentA = new CephConnections(fixture.AgentOptions("hostA"));
            var state = new AgentStateStore(_directory.File("a.json"));
            var unfence = new UnfenceExecutor(state, agentA, null,
                new LibvirtLeftoverVmCheck(new() { Uri = node.Uri, ManagedDomainPrefix = "ha-" }), StepTimeout, NullLogger<UnfenceExecutor>.Instance);

            var report = await unfence.ExecuteAsync(new UnfenceCommand("u-2", 5, [address.ToString()], [], CallerConfirmsVmsDead: true));
            var refusedUnconfirmed = await unfence.ExecuteAsync(new UnfenceCommand("u-3", 5, [address.ToString()], [], CallerConfirmsVmsDead: false));
            var foreign = await unfence.ExecuteAsync(new UnfenceCommand("u-4", 5, ["127.77.0.1:0/12345"], [], CallerConfirmsVmsDead: true));

            var failure = Assert.Single(report.Failures);
            Assert.Equal(FenceFailureKind.LeftoverVmsRunning, failure.Kind);
            Assert.Contains("ha-web", failure.Detail, StringComparison.Ordinal);
            Assert.Equal(FenceFailureKind.LeftoverVmsRunning, Assert.Single(refusedUnconfirmed.Failures).Kind);
            Assert.Equal(FenceFailureKind.NotOwnAddress, Assert.Single(foreign.Failures).Kind);
            Assert.Contains(admin.Blocklist.List(), e => e.Address == address);
            Assert.Equal(0, state.HighestToken);
        }
        finally
        {
            admin.Blocklist.Remove(address);
        }
    }

    /// <summary>The OSD applies the confirmed epoch asynchronously: a write may be acknowledged for a few ms, never for long.</summary>
    private (string LastAcknowledged, RadosException Refused) WriteUntilRefused(RadosPool pool, string objectName, string lastAcknowledged)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        for (var n = 1; ; n++)
        {
            var value = $"after-fence-{n}";
            try
            {
                pool.WriteFull(objectName, Encoding.UTF8.GetBytes(value));
                lastAcknowledged = value;
                output.WriteLine($"{value} acknowledged after the fence was confirmed");
            }
            catch (RadosException ex)
            {
                return (lastAcknowledged, ex);
            }
            Assert.True(DateTime.UtcNow < deadline, "the fenced client was still writing 5 s after the fence was proven");
        }
    }
}
