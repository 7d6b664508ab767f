using System.Security.Claims;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
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
    public async Task VmCreated_ThroughApi_CoreRebuiltAndAdoptsIt()
    {
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var vm = JsonSerializer.SerializeToUtf8Bytes(new VmDocument("vm2", 1, 1024, ["ceph:rbd/vm2"], 0, null, true, null), ApiJsonContext.Default.VmDocument);
        var (_, problem) = await api.CommitAsync(Operator, "vm.create", ApiStore.VmsPrefix + "vm2", null, vm, 0, CancellationToken.None);
        Assert.Null(problem);

        // Agents report every few seconds; the core rebuilt from fresh documents adopts vm2 where its agent runs it.
        for (var i = 0; i < 20 && !(Knows("vm2") && _harness!.Engine.Core!.VmStateOf("vm2") == (VmState.Running, "h2")); i++)
        {
            _harness!.Report("h1", "vm1");
            _harness.Report("h2", "vm2");
            await _harness.TickAsync(EngineHarness.Hosts);
            await Task.Delay(50);
        }
        Assert.Equal((VmState.Running, "h2"), _harness!.Engine.Core!.VmStateOf("vm2"));
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
    }

    [Fact]
    public async Task VmReportedBeforeItsRegistration_AdoptedAfterTheRebuild_WithoutWaitingForAnotherReport()
    {
        // h2's agent reports vm3 the moment it starts; the operator registers it a moment later.
        _harness!.Report("h1", "vm1");
        _harness.Report("h2", "vm3");
        await _harness.TickAsync(EngineHarness.Hosts);
        var api = new ApiStore(_store!, NullLogger<ApiStore>.Instance);
        var vm = JsonSerializer.SerializeToUtf8Bytes(new VmDocument("vm3", 1, 1024, ["ceph:rbd/vm3"], 0, null, true, null), ApiJsonContext.Default.VmDocument);
        var (_, problem) = await api.CommitAsync(Operator, "vm.create", ApiStore.VmsPrefix + "vm3", null, vm, 0, CancellationToken.None);
        Assert.Null(problem);

        // No further VM report: only heartbeats. The rebuilt core must still know where vm3 runs.
        for (var i = 0; i < 10 && !(Knows("vm3") && _harness.Engine.Core!.VmStateOf("vm3") == (VmState.Running, "h2")); i++)
        {
            await _harness.TickAsync(EngineHarness.Hosts);
        }
        Assert.Equal((VmState.Running, "h2"), _harness.Engine.Core!.VmStateOf("vm3"));
        Assert.Equal((VmState.Running, "h1"), _harness.Engine.Core!.VmStateOf("vm1"));
    }

    private bool Knows(string vmId)
    {
        try
        {
            _harness!.Engine.Core!.VmStateOf(vmId);
            return true;
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }
}
