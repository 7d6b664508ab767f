using System.Text;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine on the default deployment's store (one SQLite file), driven through fake agents.</summary>
public sealed class SqliteEngineTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("engine");
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        _directory.Dispose();
    }

    [Fact]
    public async Task SilentHost_FencedByPeerThenVmStartedElsewhere_AuditAndSnapshotExplainIt()
    {
        var harness = await StartAsync("c1");

        var target = await EngineScenarios.RunToRestartAsync(harness);

        await EngineScenarios.AssertRecordedAsync(harness, target);
        Assert.Equal(1, harness.Metrics.Fences("ceph", "verified"));
        Assert.Equal(1, harness.Metrics.Restarts("succeeded"));
        Assert.Equal(1, harness.Metrics.DetectionToRestartCount);
        var text = new StringBuilder();
        harness.Metrics.Render(text);
        Assert.Contains("haagent_hosts_by_state{state=\"fenced\"} 1", text.ToString(), StringComparison.Ordinal);
        Assert.Contains($"haagent_leader_epoch {harness.Leadership.Epoch}", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoStorageHeartbeat_SilentHostJudgedDeadFencedAndVmStillRestarted()
    {
        var harness = await StartAsync("c1");
        harness.WriteStorage = false;

        var target = await EngineScenarios.RunToRestartAsync(harness);

        var audit = await harness.EngineAuditAsync();
        Assert.Contains(audit, static r => r.Subject == "host h1" && r.Decision == "status change suspect => dead");
        Assert.DoesNotContain(audit, static r => r.Kind == "storage-stalled");
        Assert.Contains(target, EngineScenarios.Peers);
    }

    [Fact]
    public async Task NewLeader_HigherEpoch_ResumesFromSnapshotWithoutRestartingRunningVm()
    {
        var first = await StartAsync("c1");
        var target = await EngineScenarios.RunToRestartAsync(first);
        await first.StopEngineAsync();
        await first.Store.ResignAsync(first.Leadership, CancellationToken.None);

        var second = await StartAsync("c2", seed: false, time: first.Time);

        Assert.True(second.Leadership.Epoch > first.Leadership.Epoch);
        Assert.Equal((VmState.Running, target), second.Engine.Core!.VmStateOf("vm1"));
        Assert.Equal(HostState.Fenced, second.Engine.Core.HostStateOf("h1"));
        second.Report(target, "vm1");
        for (var i = 0; i < 12; i++)
        {
            await second.TickAsync(EngineScenarios.Peers);
        }
        Assert.Empty(second.Outbox.OfType<StartVmOrder>());
        Assert.Empty(second.Outbox.OfType<FenceOrder>());
        Assert.Equal((VmState.Running, target), second.Engine.Core.VmStateOf("vm1"));
        Assert.Equal(HostState.Fenced, second.Engine.Core.HostStateOf("h1"));
    }

    [Fact]
    public async Task NewLeader_MidFence_ContinuesTheFenceAtOnceUnderItsEpochAndRestartsOnlyOnItsProof()
    {
        var first = await StartAsync("c1");
        await EngineScenarios.StartClusterAsync(first);
        var (executor, fence) = await EngineScenarios.SilenceUntilFenceOrderAsync(first);
        await first.StopEngineAsync(); // dies right after ordering the fence: no result, no start
        await first.Store.ResignAsync(first.Leadership, CancellationToken.None);

        var second = await StartAsync("c2", seed: false, time: first.Time);
        Assert.Equal(HostState.Fencing, second.Engine.Core!.HostStateOf("h1"));
        await second.TickAsync(EngineScenarios.Peers); // its first simulated second: not the 8 s of silence a fresh judgement needs

        var (continuedBy, continued) = Assert.Single(second.Outbox.OfType<FenceOrder>());
        Assert.Equal((executor, second.Leadership.Epoch), (continuedBy, continued.Stamp.Epoch));
        Assert.Equal(fence.CephAddresses, continued.CephAddresses);
        var ordered = Assert.Single(await second.EngineAuditAsync(), r => r.Kind == "fence-ordered" && r.Decision.Contains($"token {second.Leadership.Epoch}", StringComparison.Ordinal));
        Assert.Contains($"continuing fence ordered in epoch {first.Leadership.Epoch}", ordered.Decision, StringComparison.Ordinal);
        Assert.Contains("that leader's evidence: dead:", ordered.Evidence, StringComparison.Ordinal);
        Assert.Empty(second.Outbox.OfType<StartVmOrder>());

        second.Result(executor, fence, OrderOutcome.Succeeded, EngineScenarios.Proof([.. fence.CephAddresses])); // the old order's result: stale
        await second.TickAsync(EngineScenarios.Peers);
        Assert.Empty(second.Outbox.OfType<StartVmOrder>());

        second.Result(continuedBy, continued, OrderOutcome.Succeeded, EngineScenarios.Proof([.. continued.CephAddresses]));
        await second.TickUntilAsync(() => second.Outbox.OfType<StartVmOrder>().Count > 0, "a start order for vm1", 3, EngineScenarios.Peers);
        Assert.Equal(second.Leadership.Epoch, second.Outbox.OfType<StartVmOrder>()[0].Order.Stamp.Epoch);
    }

    [Fact]
    public async Task NewLeader_HostDocumentGoneWhileItsVmStillRunsThere_KeptWatchedAndDrainedNotForgotten()
    {
        var first = await StartAsync("c1");
        await EngineScenarios.StartClusterAsync(first);
        // h1's document is deleted behind the API's check while vm1 runs there; the leader dies before anything moved.
        await first.StopEngineAsync();
        var deleted = await first.Store.CommitAsync(first.Leadership, [DocumentWrite.Delete("hosts/h1", null)],
            Encoding.UTF8.GetBytes("{\"action\":\"host.delete\",\"subject\":\"hosts/h1\"}"), CancellationToken.None);
        Assert.True(deleted.Committed);
        await first.Store.ResignAsync(first.Leadership, CancellationToken.None);

        var second = await StartAsync("c2", seed: false, time: first.Time);

        Assert.True(second.Engine.Core!.HasHost("h1"));
        var (state, on) = second.Engine.Core.VmStateOf("vm1");
        Assert.True(state is VmState.Running or VmState.Stopping && on == "h1", $"vm1 {state} on {on}: watched on h1, not \"unknown\"");
        second.Report("h1", "vm1");
        await second.TickUntilRealAsync(() => second.Outbox.OfType<StopVmOrder>().Any(static s => s.HostId == "h1" && s.Order.VmId == "vm1"),
            "vm1 drained off h1 before h1 is removed", 10, EngineHarness.Hosts);
        var deferred = false;
        for (var i = 0; i < 50 && !deferred; i++)
        {
            // The removal is asked again at each change poll; the first one came before the core led (nothing audited then).
            await second.TickAsync(EngineHarness.Hosts);
            await Task.Delay(50);
            deferred = (await second.EngineAuditAsync()).Exists(static r => r.Subject == "host h1" && r.Decision.StartsWith("removal deferred: HA VM(s) [vm1]", StringComparison.Ordinal));
        }
        Assert.True(deferred, "the deferred removal of h1 is audited");
        Assert.True(second.Engine.Core.HasHost("h1"));
        Assert.Empty(second.Outbox.OfType<StartVmOrder>());
    }

    [Fact]
    public async Task FenceResult_StaleEpochOrUnknownId_IgnoredUntilTheRealResult()
    {
        var harness = await StartAsync("c1");
        await EngineScenarios.StartClusterAsync(harness);
        var (executor, fence) = await EngineScenarios.SilenceUntilFenceOrderAsync(harness);
        var proof = EngineScenarios.Proof([.. fence.CephAddresses]);

        harness.Result(executor, fence, OrderOutcome.Succeeded, proof, stamp: new OrderStamp(fence.Stamp.Epoch - 1, fence.Stamp.Sequence));
        harness.Result(executor, fence, OrderOutcome.Succeeded, proof, orderId: "fence-h1-999");
        harness.Result("h3" == executor ? "h2" : "h3", fence, OrderOutcome.Succeeded, proof); // from a host it was not sent to
        await harness.TickAsync(EngineScenarios.Peers);
        await harness.TickAsync(EngineScenarios.Peers);

        Assert.Equal(HostState.Fencing, harness.Engine.Core!.HostStateOf("h1"));
        Assert.Equal((VmState.Running, "h1"), harness.Engine.Core.VmStateOf("vm1"));
        Assert.Empty(harness.Outbox.OfType<StartVmOrder>());

        harness.Result(executor, fence, OrderOutcome.Succeeded, proof);
        await harness.TickUntilAsync(() => harness.Engine.Core.HostStateOf("h1") == HostState.Fenced, "h1 fenced", 3, EngineScenarios.Peers);
    }

    [Fact]
    public async Task StartOrder_NoDomainDefinition_NothingSentAndFailureAudited()
    {
        var harness = await StartAsync("c1", withDefinition: false);
        await EngineScenarios.StartClusterAsync(harness);
        var (executor, fence) = await EngineScenarios.SilenceUntilFenceOrderAsync(harness);
        harness.Result(executor, fence, OrderOutcome.Succeeded, EngineScenarios.Proof([.. fence.CephAddresses]));

        var audit = new List<HaAgent.Coordinator.Engine.Documents.EngineAuditRecordDocument>();
        for (var i = 0; i < 5 && !audit.Exists(static r => r.Kind == "vm-start-failed"); i++)
        {
            await harness.TickAsync(EngineScenarios.Peers);
            audit = await harness.EngineAuditAsync();
        }

        Assert.Empty(harness.Outbox.OfType<StartVmOrder>());
        var notSent = audit.Find(static r => r.Kind == "vm-start-failed" && r.Decision.EndsWith("not sent", StringComparison.Ordinal));
        Assert.NotNull(notSent);
        Assert.Contains("vmdefs/vm1", notSent.Evidence, StringComparison.Ordinal);
        Assert.Contains(audit, static r => r.Kind == "vm-start-failed" && r.Decision.Contains("will be placed again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LeadershipLost_OutboxClearedAndNoFurtherOrders()
    {
        var harness = await StartAsync("c1");
        await EngineScenarios.StartClusterAsync(harness);
        await EngineScenarios.SilenceUntilFenceOrderAsync(harness);
        var sent = harness.Outbox.Sent.Count;

        await harness.Store.ResignAsync(harness.Leadership, CancellationToken.None);
        await EngineHarness.WaitUntilAsync(() => harness.Outbox.Clears > 0, "outbox cleared after the leadership was lost");

        Assert.Equal(0, harness.Sink.CurrentEpoch);
        for (var i = 0; i < 15; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            harness.Sink.Accept(new HeartbeatMessage("h2", 1, 0, default), harness.Now);
            await Task.Delay(30);
        }
        Assert.Equal(sent, harness.Outbox.Sent.Count);
        Assert.Null(harness.Engine.Core);
    }

    [Fact]
    public async Task Hello_NewFenceIdentity_PersistedAndUsedForTheFence()
    {
        var harness = await StartAsync("c1");
        await EngineScenarios.StartClusterAsync(harness);
        harness.Sink.Accept(new HelloMessage("h1", 2, "test", [], new FenceIdentity(["127.0.0.11:0/777"], "a1")), harness.Now);
        harness.Sink.Accept(new VmDefinitionMessage("h1", 2, "vm1", EngineHarness.DomainXml.Replace("kvm", "qemu", StringComparison.Ordinal)), harness.Now);
        await harness.TickAsync(EngineHarness.Hosts);

        var agent = await harness.Store.GetAsync(CoordinatorEngine.AgentsPrefix + "h1", CancellationToken.None);
        Assert.Contains("127.0.0.11:0/777", Encoding.UTF8.GetString(agent!.Value.Span), StringComparison.Ordinal);
        Assert.Contains("0x00000000000000A1", Encoding.UTF8.GetString(agent.Value.Span), StringComparison.Ordinal);
        var definition = await harness.Store.GetAsync(CoordinatorEngine.DefinitionsPrefix + "vm1", CancellationToken.None);
        Assert.Contains("type='qemu'", Encoding.UTF8.GetString(definition!.Value.Span), StringComparison.Ordinal);
        var (_, fence) = await EngineScenarios.SilenceUntilFenceOrderAsync(harness);
        Assert.Equal(["127.0.0.11:0/0", "127.0.0.11:0/777"], fence.CephAddresses);
    }

    [Fact]
    public async Task LargeStep_MoreThanOneCommitHolds_SuccessorSeesEveryPlacementAndRecord()
    {
        const int VmCount = 3000;
        var first = await StartAsync("c1");
        var ids = Enumerable.Range(0, VmCount).Select(static i => $"bulk{i:D4}").ToArray();
        var writes = ids.Select(static id => DocumentWrite.Put(HaAgent.Coordinator.Api.ApiStore.VmsPrefix + id, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new HaAgent.Coordinator.Api.Contracts.VmDocument(id, 1, 64, ["ceph:rbd/" + id], 0, null, true, null), HaAgent.Coordinator.Api.Contracts.ApiJsonContext.Default.VmDocument))).ToList();
        foreach (var batch in writes.Chunk(50))
        {
            Assert.True((await first.Store.CommitAsync(first.Leadership, batch, null, CancellationToken.None)).Committed);
        }
        // These were written behind the engine's back; a VM change that names no single document makes it fall back
        // to a full rebuild from every document.
        await first.Store.AppendAuditAsync(first.Leadership, Encoding.UTF8.GetBytes("{\"action\":\"vm.import\"}"), CancellationToken.None);
        await EngineScenarios.StartClusterAsync(first);
        for (var i = 0; i < 20 && !Knows(first, ids[^1]); i++)
        {
            await first.TickAsync(EngineHarness.Hosts);
            await Task.Delay(50);
        }
        Assert.True(Knows(first, ids[^1]), "the core was rebuilt with the bulk VMs");
        Assert.Equal(1, first.Engine.Rebuilds);

        first.Report("h1", [.. ids, "vm1"]);
        await first.TickUntilAsync(() => first.Engine.Core!.VmStateOf(ids[^1]) == (VmState.Running, "h1"), "every bulk VM adopted on h1", 5, EngineHarness.Hosts);
        await first.StepsAsync(2);
        await first.StopEngineAsync();
        await first.Store.ResignAsync(first.Leadership, CancellationToken.None);

        var second = await StartAsync("c2", seed: false, time: first.Time);

        Assert.All(ids, id => Assert.Equal((VmState.Running, "h1"), second.Engine.Core!.VmStateOf(id)));
        var adopted = (await second.EngineAuditAsync()).Count(static r => r.Kind == "vm-started" && r.Subject.StartsWith("vm bulk", StringComparison.Ordinal));
        Assert.Equal(VmCount, adopted);
    }

    private static bool Knows(EngineHarness harness, string vmId) => harness.Engine.Core!.TryGetVmState(vmId, out _, out _);

    private async Task<EngineHarness> StartAsync(string instanceId, bool seed = true, bool withDefinition = true, Microsoft.Extensions.Time.Testing.FakeTimeProvider? time = null)
    {
        var store = SqliteCoordinatorStore.Open(new SqliteStoreOptions
        {
            Path = _directory.File("coordinator.db"),
            InstanceId = instanceId,
            LeaseTtl = TimeSpan.FromSeconds(5),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
        });
        _owned.Add(store);
        if (seed)
        {
            await EngineHarness.SeedAsync(store, withDefinition);
        }
        var harness = await EngineHarness.StartAsync(store, time);
        _owned.Add(harness);
        return harness;
    }
}
