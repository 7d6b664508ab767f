using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Coordinator.Tests.Store;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The same failover on etcd: the snapshot shards, the agent documents and the step's audit land in etcd transactions.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdEngineTests(EtcdServerFixture etcd) : IAsyncLifetime
{
    private EtcdCoordinatorStore? _store;
    private EngineHarness? _harness;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task SilentHost_FencedByPeerThenVmStartedElsewhere_OnEtcd()
    {
        var server = etcd.Require();
        _store = new EtcdCoordinatorStore(new EtcdStoreOptions
        {
            Endpoints = server.ClientUrl,
            KeyPrefix = $"/engine-{Guid.NewGuid():N}/",
            InstanceId = "c1",
            LeaseTtl = TimeSpan.FromSeconds(5),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
        });
        await EngineHarness.SeedAsync(_store);
        _harness = await EngineHarness.StartAsync(_store);

        var target = await EngineScenarios.RunToRestartAsync(_harness);

        await EngineScenarios.AssertRecordedAsync(_harness, target);
    }
}
