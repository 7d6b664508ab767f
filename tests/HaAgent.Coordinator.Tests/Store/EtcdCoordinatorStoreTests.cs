using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;

namespace HaAgent.Coordinator.Tests.Store;

[Collection(EtcdCollection.Name)]
public sealed class EtcdCoordinatorStoreTests(EtcdServerFixture etcd) : CoordinatorStoreContractTests
{
    private readonly string _prefix = $"/test-{Guid.NewGuid():N}/";

    private protected override Task<ICoordinatorStore> CreateStoreAsync(string instanceId)
    {
        var server = etcd.Require();
        return Task.FromResult<ICoordinatorStore>(new EtcdCoordinatorStore(new EtcdStoreOptions
        {
            Endpoints = server.ClientUrl,
            KeyPrefix = _prefix,
            InstanceId = instanceId,
            LeaseTtl = TimeSpan.FromSeconds(2),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
        }));
    }

    private protected override void StopRenewing(ICoordinatorStore store) =>
        ((EtcdCoordinatorStore)store).AbandonLeaseForTesting();
}
