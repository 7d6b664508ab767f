using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;

namespace HaAgent.Coordinator.Tests.Store;

public sealed class SqliteCoordinatorStoreTests : CoordinatorStoreContractTests
{
    private readonly TempDirectory _directory = new("sqlite-store");

    private string DatabasePath => _directory.File("coordinator.db");

    private protected override Task<ICoordinatorStore> CreateStoreAsync(string instanceId) =>
        Task.FromResult<ICoordinatorStore>(SqliteCoordinatorStore.Open(Options(instanceId)));

    private protected override void StopRenewing(ICoordinatorStore store) =>
        ((SqliteCoordinatorStore)store).SuspendRenewalForTesting();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    private SqliteStoreOptions Options(string instanceId) => new()
    {
        Path = DatabasePath,
        InstanceId = instanceId,
        LeaseTtl = TimeSpan.FromSeconds(2),
        ExpiryMargin = TimeSpan.FromMilliseconds(300),
        CampaignPollInterval = TimeSpan.FromMilliseconds(50),
    };

    [Fact]
    public async Task Reopen_AfterDispose_KeepsDocumentsAuditAndEpochKeepsGrowing()
    {
        long epoch;
        long version;
        await using (var store = SqliteCoordinatorStore.Open(Options("c1")))
        {
            var leader = await store.TryAcquireLeadershipAsync(Token);
            epoch = leader!.Epoch;
            version = (await store.PutAsync(leader, "vms/a", Bytes("kept"), null, Token)).Version;
            await store.AppendAuditAsync(leader, Bytes("kept"), Token);
        }

        await using var reopened = SqliteCoordinatorStore.Open(Options("c1"));
        var document = await reopened.GetAsync("vms/a", Token);
        var audit = await reopened.ReadAuditAsync(0, 10, Token);
        var again = await reopened.TryAcquireLeadershipAsync(Token);

        Assert.Equal("kept", Text(document!.Value));
        Assert.Equal(version, document.Version);
        Assert.Equal("kept", Text(Assert.Single(audit.Entries).Payload));
        Assert.True(again!.Epoch > epoch);
        Assert.True((await reopened.PutAsync(again, "vms/b", Bytes("b"), null, Token)).Version > version);
    }

    [Fact]
    public async Task Open_NewFile_UsesWriteAheadLog()
    {
        await using var store = SqliteCoordinatorStore.Open(Options("c1"));

        Assert.True(File.Exists(DatabasePath + "-wal"), "WAL mode keeps a -wal file beside the database");
    }

    [Fact]
    public async Task Lost_LeaderStopsRenewing_FiresWithinTheLease()
    {
        await using var store = SqliteCoordinatorStore.Open(Options("c1"));
        var leader = await store.TryAcquireLeadershipAsync(Token);
        await Task.Delay(TimeSpan.FromSeconds(3), Token);
        Assert.False(leader!.IsLost, "renewals keep a live leader leading past its first TTL");

        store.SuspendRenewalForTesting();
        var lost = new TaskCompletionSource();
        using var registration = leader.Lost.Register(lost.SetResult);
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(4), Token);

        Assert.Equal(LeadershipLossReason.LeaseExpired, leader.LossReason);
        Assert.Null(store.CurrentLeadership);
    }
}
