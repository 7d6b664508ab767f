using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>Self-fence reports that travel through storage: the only way they reach us when the host's network is cut.</summary>
public sealed class StorageHeartbeatMonitorTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTakeSelfFence_FlagClearedBeforeTaken_NotReported()
    {
        var storage = new MemoryHeartbeatSource();
        using var monitor = new StorageHeartbeatMonitor([storage], TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger.Instance);
        monitor.SetHosts(["h1"]);
        storage.Write("h1", At, selfFencedAt: At);
        monitor.ReadOnce(CancellationToken.None);
        storage.Write("h1", At.AddSeconds(1)); // unfenced meanwhile: it may run VMs again

        monitor.ReadOnce(CancellationToken.None);

        Assert.False(monitor.TryTakeSelfFence(out _));
    }

    [Fact]
    public async Task SelfFenceFlagInStorage_HostSelfFencedAndVmRestartedElsewhere()
    {
        using var directory = new TempDirectory("engine-selffence");
        await using var store = SqliteCoordinatorStore.Open(new SqliteStoreOptions { Path = directory.File("c.db"), InstanceId = "c1", CampaignPollInterval = TimeSpan.FromMilliseconds(50) });
        await EngineHarness.SeedAsync(store);
        await using var harness = await EngineHarness.StartAsync(store);
        await EngineScenarios.StartClusterAsync(harness);

        harness.Storage.Write("h1", harness.Now, selfFencedAt: harness.Now);
        await harness.TickUntilAsync(() => harness.Outbox.OfType<StartVmOrder>().Count > 0, "vm1 started elsewhere", 5, EngineScenarios.Peers);

        Assert.Equal(HostState.SelfFenced, harness.Engine.Core!.HostStateOf("h1"));
        Assert.Contains(harness.Outbox.OfType<StartVmOrder>()[0].HostId, EngineScenarios.Peers);
        Assert.Empty(harness.Outbox.OfType<FenceOrder>());
        Assert.Equal(VmState.Starting, harness.Engine.Core.VmStateOf("vm1").State);
    }
}
