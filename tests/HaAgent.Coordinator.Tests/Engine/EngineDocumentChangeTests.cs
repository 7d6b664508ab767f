using System.Security.Claims;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>Operators change documents through the API's own commit path; the running engine follows.</summary>
public sealed class EngineDocumentChangeTests : IAsyncLifetime
{
    private static readonly ClaimsPrincipal Operator = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops"), new Claim(ApiClaims.Role, ApiRoles.Operator)], "test"));

    private readonly TempDirectory _directory = new("engine-docs");
    private SqliteCoordinatorStore? _store;
    private EngineHarness? _harness;

    public async Task InitializeAsync()
    {
        _store = SqliteCoordinatorStore.Open(new SqliteStoreOptions
        {
            Path = _directory.File("coordinator.db"),
            InstanceId = "c1",
            LeaseTtl = TimeSpan.FromSeconds(5),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
        });
        await EngineHarness.SeedAsync(_store);
        _harness = await EngineHarness.StartAsync(_store);
        await EngineScenarios.StartClusterAsync(_harness);
    }

    public async Task DisposeAsync()
    {
        await _harness!.DisposeAsync();
        await _store!.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task MaintenanceOn_ThroughApi_DrainsTheHost()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var (host, version, raw) = await api.GetAsync(ApiStore.HostsPrefix + "h1", ApiJsonContext.Default.HostDocument, CancellationToken.None);
        var after = JsonSerializer.SerializeToUtf8Bytes(host! with { Maintenance = true }, ApiJsonContext.Default.HostDocument);
        var (_, problem) = await api.CommitAsync(Operator, "host.maintenance-on", ApiStore.HostsPrefix + "h1", raw, after, version, CancellationToken.None);
        Assert.Null(problem);

        await _harness!.TickUntilRealAsync(() => _harness.Outbox.OfType<StopVmOrder>().Any(static s => s.HostId == "h1" && s.Order.VmId == "vm1"),
            "vm1 stopped on h1 for the drain", 10, EngineHarness.Hosts);
        Assert.Equal(HostState.Maintenance, _harness.Engine.Core!.HostStateOf("h1"));
    }

    [Fact]
    public async Task VmCreated_ThroughApi_AppliedWithoutRebuildAndAdopted()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var vm = JsonSerializer.SerializeToUtf8Bytes(new VmDocument("vm2", 1, 1024, ["ceph:rbd/vm2"], 0, null, true, null), ApiJsonContext.Default.VmDocument);
        var (_, problem) = await api.CommitAsync(Operator, "vm.create", ApiStore.VmsPrefix + "vm2", null, vm, 0, CancellationToken.None);
        Assert.Null(problem);

        // Agents report every few seconds; the live core, told of vm2, adopts it where its agent runs it.
        for (var i = 0; i < 20 && !(Knows("vm2") && _harness!.Engine.Core!.VmStateOf("vm2") == (VmState.Running, "h2")); i++)
        {
            _harness!.Report("h1", "vm1");
            _harness.Report("h2", "vm2");
            await _harness.TickAsync(EngineHarness.Hosts);
            await Task.Delay(50);
        }
        Assert.Equal((VmState.Running, "h2"), _harness!.Engine.Core!.VmStateOf("vm2"));
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
        Assert.Equal(0, _harness.Engine.Rebuilds);
        Assert.True(_harness.Engine.IncrementalChanges > 0);
    }

    [Fact]
    public async Task VmReportedBeforeItsRegistration_AdoptedWithoutWaitingForAnotherReport()
    {
        // h2's agent reports vm3 the moment it starts; the operator registers it a moment later.
        _harness!.Report("h1", "vm1");
        _harness.Report("h2", "vm3");
        await _harness.TickAsync(EngineHarness.Hosts);
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var vm = JsonSerializer.SerializeToUtf8Bytes(new VmDocument("vm3", 1, 1024, ["ceph:rbd/vm3"], 0, null, true, null), ApiJsonContext.Default.VmDocument);
        var (_, problem) = await api.CommitAsync(Operator, "vm.create", ApiStore.VmsPrefix + "vm3", null, vm, 0, CancellationToken.None);
        Assert.Null(problem);

        // No further VM report: only heartbeats. The core must still know where vm3 runs.
        for (var i = 0; i < 10 && !(Knows("vm3") && _harness.Engine.Core!.VmStateOf("vm3") == (VmState.Running, "h2")); i++)
        {
            await _harness.TickAsync(EngineHarness.Hosts);
        }
        Assert.Equal((VmState.Running, "h2"), _harness.Engine.Core!.VmStateOf("vm3"));
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
    }

    [Fact]
    public async Task VmUnprotectedThenProtected_ThroughApi_CoreForgetsAndReadoptsItWithoutRebuildOrStart()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        await ChangeVmAsync(api, "vm.unprotect", static vm => vm with { Protected = false });
        await TickUntilAsync(() => !Knows("vm1"), "vm1 no longer managed");

        await ChangeVmAsync(api, "vm.protect", static vm => vm with { Protected = true, Priority = 7 });
        await TickUntilAsync(() => Knows("vm1") && _harness!.Engine.Core!.VmStateOf("vm1") == (VmState.Running, "h1"), "vm1 managed again, adopted on h1");

        Assert.Equal(0, _harness!.Engine.Rebuilds);
        Assert.Empty(_harness.Outbox.OfType<StartVmOrder>());
    }

    [Fact]
    public async Task HostRegisteredThenDeleted_ThroughApi_CoreAddsAndDropsItWithoutRebuild()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var h4 = JsonSerializer.SerializeToUtf8Bytes(new HostDocument("h4", 16, 65536, "r-h4", "p1", "z1", false), ApiJsonContext.Default.HostDocument);
        Assert.Null((await api.CommitAsync(Operator, "host.register", ApiStore.HostsPrefix + "h4", null, h4, 0, CancellationToken.None)).Problem);
        await TickUntilAsync(() => _harness!.Engine.Core!.HasHost("h4"), "h4 known to the core");
        Assert.Equal(HostState.Healthy, _harness!.Engine.Core!.HostStateOf("h4"));

        var (_, version, raw) = await api.GetAsync(ApiStore.HostsPrefix + "h4", ApiJsonContext.Default.HostDocument, CancellationToken.None);
        Assert.Null((await api.CommitAsync(Operator, "host.delete", ApiStore.HostsPrefix + "h4", raw, null, version, CancellationToken.None)).Problem);
        await TickUntilAsync(() => !_harness.Engine.Core!.HasHost("h4"), "h4 dropped by the core");

        Assert.Equal(0, _harness.Engine.Rebuilds);
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
    }

    [Fact]
    public async Task RuleCreated_ThroughApi_AppliedWithoutRebuild()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var before = _harness!.Engine.IncrementalChanges;
        var rule = JsonSerializer.SerializeToUtf8Bytes(new RuleDocument("apart", "anti-affinity", "hard", ["vm1", "vm9"], "host", null), ApiJsonContext.Default.RuleDocument);
        Assert.Null((await api.CommitAsync(Operator, "rule.create", ApiStore.RulesPrefix + "apart", null, rule, 0, CancellationToken.None)).Problem);

        await TickUntilAsync(() => _harness.Engine.IncrementalChanges > before, "the rule applied");
        Assert.Equal(0, _harness.Engine.Rebuilds);
    }

    [Fact]
    public async Task AuditFeedGap_EngineFallsBackToAFullRebuild_AndLearnsWhatTheLostEntrySaid()
    {
        await _harness!.DisposeAsync();
        var hiding = new HidingAuditStore(_store!);
        _harness = await EngineHarness.StartAsync(hiding);
        await EngineScenarios.StartClusterAsync(_harness);
        hiding.HideContaining = "vms/vm9";
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var vm9 = JsonSerializer.SerializeToUtf8Bytes(new VmDocument("vm9", 1, 1024, ["ceph:rbd/vm9"], 0, null, true, null), ApiJsonContext.Default.VmDocument);
        Assert.Null((await api.CommitAsync(Operator, "vm.create", ApiStore.VmsPrefix + "vm9", null, vm9, 0, CancellationToken.None)).Problem);

        // The next entry lands after a hole: the engine cannot know what it missed, so it reads everything again.
        await ChangeVmAsync(api, "vm.priority", static vm => vm with { Priority = 3 });
        await TickUntilAsync(() => _harness.Engine.Rebuilds == 1 && Knows("vm9"), "a rebuild that knows vm9");
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
    }

    [Fact]
    public async Task FencedHostDeletedThenRegisteredAgain_FenceKeptAndTheHostComesBackFenced()
    {
        var harness = _harness!;
        var (executor, fence) = await EngineScenarios.SilenceUntilFenceOrderAsync(harness);
        harness.Result(executor, fence, OrderOutcome.Succeeded, EngineScenarios.Proof([.. fence.CephAddresses]));
        await harness.TickUntilAsync(() => harness.Engine.Core!.HostStateOf("h1") == HostState.Fenced, "h1 fenced", 5, EngineScenarios.Peers);
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);

        var (h1, version, raw) = await api.GetAsync(ApiStore.HostsPrefix + "h1", ApiJsonContext.Default.HostDocument, CancellationToken.None);
        Assert.Null((await api.CommitAsync(Operator, "host.delete", ApiStore.HostsPrefix + "h1", raw, null, version, CancellationToken.None)).Problem);
        await harness.TickUntilRealAsync(() => !harness.Engine.Core!.HasHost("h1"), "h1 removed", 10, EngineScenarios.Peers);
        await WaitForAuditAsync(static r => r.Subject == "host h1" && r.Decision.StartsWith("removed while fenced: the fence is kept", StringComparison.Ordinal), "h1's removal audited");

        var snapshot = JsonSerializer.Deserialize((await _store!.GetAsync(CoordinatorEngine.SnapshotKey, CancellationToken.None))!.Value.Span, EngineJsonContext.Default.SnapshotDocument)!;
        Assert.Equal(fence.CephAddresses, Assert.Single(snapshot.Fenced["h1"]).Addresses);

        var again = JsonSerializer.SerializeToUtf8Bytes(h1! with { Version = 0 }, ApiJsonContext.Default.HostDocument);
        Assert.Null((await api.CommitAsync(Operator, "host.register", ApiStore.HostsPrefix + "h1", null, again, 0, CancellationToken.None)).Problem);
        await harness.TickUntilRealAsync(() => harness.Engine.Core!.HasHost("h1"), "h1 registered again", 10, EngineScenarios.Peers);

        Assert.Equal(HostState.Fenced, harness.Engine.Core!.HostStateOf("h1"));
        Assert.DoesNotContain(harness.Outbox.OfType<StartVmOrder>(), static s => s.HostId == "h1");
        await WaitForAuditAsync(static r => r.Subject == "host h1" && r.Decision.StartsWith("registered again while still fenced", StringComparison.Ordinal), "h1's return audited");
    }

    [Fact]
    public async Task HostWithHaVmDeletedBehindTheApi_RemovalDeferredAndDrainedNeverLeftUnwatched()
    {
        var harness = _harness!;
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var (_, version, raw) = await api.GetAsync(ApiStore.HostsPrefix + "h1", ApiJsonContext.Default.HostDocument, CancellationToken.None);

        // Past the API's own check (it would answer 409): the engine still keeps vm1 watched and drains h1 first.
        Assert.Null((await api.CommitAsync(Operator, "host.delete", ApiStore.HostsPrefix + "h1", raw, null, version, CancellationToken.None)).Problem);
        await TickUntilAsync(() => harness.Outbox.OfType<StopVmOrder>().Any(static s => s.HostId == "h1" && s.Order.VmId == "vm1"), "vm1 stopped on h1 for the drain");

        Assert.True(harness.Engine.Core!.HasHost("h1"));
        Assert.Equal((VmState.Stopping, "h1"), harness.Engine.Core.VmStateOf("vm1"));
        await WaitForAuditAsync(static r => r.Subject == "host h1" && r.Decision.StartsWith("removal deferred: HA VM(s) [vm1]", StringComparison.Ordinal), "the deferral audited");
        var (_, stop) = harness.Outbox.OfType<StopVmOrder>().First(static s => s.HostId == "h1");
        harness.Result("h1", stop, OrderOutcome.Succeeded);
        harness.Report("h1");
        await harness.TickUntilRealAsync(() => !harness.Engine.Core!.HasHost("h1"), "h1 removed once drained", 10, EngineHarness.Hosts);
        Assert.Contains(harness.Outbox.OfType<StartVmOrder>(), static s => s.HostId != "h1" && s.Order.VmId == "vm1");
    }

    /// <summary>A decision is committed with its step, a moment after the core made it: steps run until it is in the log.</summary>
    private async Task WaitForAuditAsync(Func<EngineAuditRecordDocument, bool> match, string what)
    {
        for (var i = 0; i < 50; i++)
        {
            if ((await _harness!.EngineAuditAsync()).Exists(r => match(r)))
            {
                return;
            }
            await _harness.StepsAsync(1);
            await Task.Delay(20);
        }
        Assert.Fail("not in the audit log: " + what);
    }

    private async Task ChangeVmAsync(ApiStore api, string action, Func<VmDocument, VmDocument> change)
    {
        var (vm, version, raw) = await api.GetAsync(ApiStore.VmsPrefix + "vm1", ApiJsonContext.Default.VmDocument, CancellationToken.None);
        var after = JsonSerializer.SerializeToUtf8Bytes(change(vm!), ApiJsonContext.Default.VmDocument);
        Assert.Null((await api.CommitAsync(Operator, action, ApiStore.VmsPrefix + "vm1", raw, after, version, CancellationToken.None)).Problem);
    }

    private async Task TickUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 40 && !condition(); i++)
        {
            _harness!.Report("h1", "vm1");
            await _harness.TickAsync(EngineHarness.Hosts);
            await Task.Delay(50);
        }
        Assert.True(condition(), what);
    }

    private bool Knows(string vmId) => _harness!.Engine.Core!.TryGetVmState(vmId, out _, out _);
}
