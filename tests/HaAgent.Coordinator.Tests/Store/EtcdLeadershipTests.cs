using System.Diagnostics;
using System.Text;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Testing.Etcd;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Store;

/// <summary>Leadership on etcd under faults: coordinators dying, etcd hanging or dying.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdLeadershipTests(EtcdServerFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);
    private readonly string _prefix = $"/test-{Guid.NewGuid():N}/";
    private readonly List<EtcdCoordinatorStore> _stores = [];
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(60));

    private CancellationToken Token => _testTimeout.Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
        _testTimeout.Dispose();
    }

    [SkippableFact]
    public async Task ThreeCoordinators_LeaderKilled_AnotherTakesOverWithin3sWithHigherEpoch()
    {
        var server = etcd.Require();
        var stores = Enumerable.Range(1, 3).Select(i => Open(server, $"c{i}")).ToArray();
        var campaigns = stores.Select(s => s.CampaignAsync(Token)).ToList();

        var first = await await Task.WhenAny(campaigns).WaitAsync(TimeSpan.FromSeconds(10), Token);
        await Task.Delay(TimeSpan.FromSeconds(1), Token);
        Assert.Equal(1, campaigns.Count(c => c.IsCompleted));
        var oldLeader = stores.Single(s => s.InstanceId == first.InstanceId);

        var stopwatch = Stopwatch.StartNew();
        oldLeader.CrashForTesting();
        campaigns.RemoveAll(c => c.IsCompleted);
        var second = await await Task.WhenAny(campaigns).WaitAsync(TimeSpan.FromSeconds(10), Token);
        var takeover = stopwatch.Elapsed;
        output.WriteLine($"takeover after leader crash: {takeover.TotalMilliseconds:F0} ms, epoch {first.Epoch} -> {second.Epoch}");

        Assert.True(takeover < TakeoverBound, $"takeover took {takeover.TotalMilliseconds:F0} ms");
        Assert.NotEqual(first.InstanceId, second.InstanceId);
        Assert.True(second.Epoch > first.Epoch);
        var survivor = stores.Single(s => s.InstanceId == second.InstanceId);
        Assert.Equal(new LeaderInfo(second.InstanceId, second.Epoch), await survivor.GetLeaderAsync(Token));
        Assert.Equal(WriteOutcome.Written, (await survivor.PutAsync(second, "vms/a", "x"u8.ToArray(), null, Token)).Outcome);
        await Task.Delay(TimeSpan.FromMilliseconds(300), Token);
        Assert.Equal(1, campaigns.Count(c => c.IsCompleted));
    }

    [SkippableFact]
    public async Task LeaderCutOffFromEtcd_KnowsItLostBeforeTheSuccessorLeads_AndCannotWriteAfterHealing()
    {
        var server = etcd.Require();
        using var proxy = TcpProxy.Start(new Uri(server.ClientUrl).Port);
        var old = Open(proxy.Url, "c1");
        var oldLeadership = await old.TryAcquireLeadershipAsync(Token);
        var before = await old.PutAsync(oldLeadership!, "vms/a", "before"u8.ToArray(), null, Token);
        var successor = Open(server.ClientUrl, "c2");
        var campaign = successor.CampaignAsync(Token);
        var lostAt = new TaskCompletionSource<TimeSpan>();
        var stopwatch = Stopwatch.StartNew();
        using var registration = oldLeadership!.Lost.Register(() => lostAt.TrySetResult(stopwatch.Elapsed));

        proxy.Partition();
        var next = await campaign.WaitAsync(TimeSpan.FromSeconds(10), Token);
        var takeoverAt = stopwatch.Elapsed;
        var oldKnewItLost = oldLeadership.IsLost;
        proxy.Heal();
        var lostAfter = await lostAt.Task.WaitAsync(TimeSpan.FromSeconds(5), Token);
        output.WriteLine($"partitioned leader saw Lost after {lostAfter.TotalMilliseconds:F0} ms; successor led after {takeoverAt.TotalMilliseconds:F0} ms");

        // IsLost reads the clock itself (asked after the successor's campaign returned, so a stalled test thread only
        // asks later): this is the safety property, what the engine checks before every order and commit. When the
        // Lost callback ran is the timer's punctuality, which Leadership does not promise on a loaded box (seen 140 ms
        // before the successor at load 4-10), so it is printed above, not asserted.
        Assert.True(oldKnewItLost, "the cut-off leader must know it lost before the successor leads");
        Assert.True(next.Epoch > oldLeadership.Epoch);
        await Assert.ThrowsAsync<NotLeaderException>(() => old.PutAsync(oldLeadership, "vms/a", "stale"u8.ToArray(), null, Token));
        // Healed, the old leader's unaware copy reaches etcd again and the fenced Txn refuses it.
        await Assert.ThrowsAsync<NotLeaderException>(() => RetryWhileUnavailableAsync(() =>
            old.PutAsync(oldLeadership.UnawareCopyForTesting(TimeProvider.System), "vms/a", "stale"u8.ToArray(), null, Token)));
        var document = await successor.GetAsync("vms/a", Token);
        Assert.Equal(before.Version, document!.Version);
        Assert.Equal("before"u8.ToArray(), document.Value.ToArray());
    }

    [SkippableFact]
    public async Task Leader_Renewing_KeepsLeadingWellPastItsTtl()
    {
        var server = etcd.Require();
        var store = Open(server, "c1");
        var leadership = await store.TryAcquireLeadershipAsync(Token);

        await Task.Delay(TimeSpan.FromSeconds(5), Token);

        Assert.False(leadership!.IsLost);
        Assert.Equal(WriteOutcome.Written, (await store.PutAsync(leadership, "vms/a", "x"u8.ToArray(), null, Token)).Outcome);
        Assert.Null(await Open(server, "c2").TryAcquireLeadershipAsync(Token));
    }

    [SkippableFact]
    public async Task Resign_AnotherCampaigning_TakesOverAtOnce()
    {
        var server = etcd.Require();
        var c1 = Open(server, "c1");
        var c2 = Open(server, "c2");
        var first = await c1.TryAcquireLeadershipAsync(Token);
        var campaign = c2.CampaignAsync(Token);

        var stopwatch = Stopwatch.StartNew();
        await c1.ResignAsync(first!, Token);
        var second = await campaign.WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"handover after resign took {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(second.Epoch > first!.Epoch);
    }

    [SkippableFact]
    public async Task EtcdFrozen_LeaderLosesLeadershipWithinTtlAndCallsFailWithinTimeout()
    {
        etcd.Require();
        using var server = await EtcdServer.StartAsync();
        var store = Open(server, "c1");
        var leadership = (await store.TryAcquireLeadershipAsync(Token))!;

        try
        {
            await BreakEtcdThenWatchLossAsync(leadership, server.Pause, "froze");
            var call = Stopwatch.StartNew();
            await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("vms/a", Token));

            Assert.True(call.Elapsed < TimeSpan.FromSeconds(4), $"a call to a frozen etcd took {call.Elapsed.TotalMilliseconds:F0} ms");
            await Assert.ThrowsAsync<NotLeaderException>(() => store.PutAsync(leadership, "vms/a", "x"u8.ToArray(), null, Token));
        }
        finally
        {
            server.Resume();
        }

        // Thawed, etcd expires the lease the leader stopped renewing; the unaware old term cannot write.
        var successor = Open(server, "c2");
        var next = await successor.CampaignAsync(Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(next.Epoch > leadership.Epoch);
        await Assert.ThrowsAsync<NotLeaderException>(() => store.PutAsync(leadership.UnawareCopyForTesting(TimeProvider.System), "vms/a", "x"u8.ToArray(), null, Token));
        Assert.Null(await successor.GetAsync("vms/a", Token));
    }

    [SkippableFact]
    public async Task EtcdKilled_LeaderLosesLeadershipWithinTtl()
    {
        etcd.Require();
        using var server = await EtcdServer.StartAsync();
        var store = Open(server, "c1");
        var leadership = (await store.TryAcquireLeadershipAsync(Token))!;

        await BreakEtcdThenWatchLossAsync(leadership, server.Kill, "died");

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.TryAcquireLeadershipAsync(Token));
    }

    [SkippableFact]
    public async Task Store_KeysLiveUnderItsPrefixOnly()
    {
        var server = etcd.Require();
        var store = Open(server, "c1");
        var leadership = await store.TryAcquireLeadershipAsync(Token);
        await store.PutAsync(leadership!, "vms/a", Encoding.UTF8.GetBytes("x"), null, Token);
        await store.AppendAuditAsync(leadership!, Encoding.UTF8.GetBytes("x"), Token);

        var other = new EtcdCoordinatorStore(new EtcdStoreOptions { Endpoints = server.ClientUrl, KeyPrefix = $"/other-{Guid.NewGuid():N}/", InstanceId = "o1" });
        _stores.Add(other);

        Assert.Null(await other.GetAsync("vms/a", Token));
        Assert.Null(await other.GetLeaderAsync(Token));
        Assert.Empty((await other.ReadAuditAsync(0, 10, Token)).Entries);
        Assert.NotNull(await other.TryAcquireLeadershipAsync(Token));
    }

    /// <summary>
    /// Breaks etcd, then asks the leadership whether it still leads until it says no. The safety property: no successor
    /// can lead before etcd expires the lease, at the earliest one TTL after the last renewal etcd received — which was
    /// before the break had completed — so the old leader must give up before <c>broken + TTL</c>. <see
    /// cref="Leadership.IsLost"/> reads the clock itself, so its answer does not depend on when this test thread (or the
    /// timer behind <see cref="Leadership.Lost"/>) gets a core: a "still leading" answer to a question asked at or after
    /// <c>broken + TTL</c> is an overlap on any machine, at any load, and fails the test; a starved thread only asks less
    /// often. (This used to time the Lost callback against an absolute 2 s, which a loaded box could miss with a correct
    /// leadership.) Lost must then fire too: it is what stops the engine; its lateness is printed, bounded generously.
    /// </summary>
    private async Task BreakEtcdThenWatchLossAsync(Leadership leadership, Action breakEtcd, string what)
    {
        var lostFired = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = leadership.Lost.Register(() => lostFired.TrySetResult(Stopwatch.GetTimestamp()));
        Assert.False(leadership.IsLost, "lost before etcd broke");

        breakEtcd();
        var brokenAt = Stopwatch.GetTimestamp();
        var lastLeading = TimeSpan.Zero;
        var asked = 0;
        while (true)
        {
            var askedAt = Stopwatch.GetElapsedTime(brokenAt);
            asked++;
            if (leadership.IsLost)
            {
                break;
            }
            lastLeading = askedAt;
            Assert.True(askedAt < LeaseTtl, $"still leading {askedAt.TotalMilliseconds:F0} ms after etcd {what}: the lease ({LeaseTtl.TotalSeconds:F0} s) may have expired, a successor may lead");
            await Task.Delay(1, Token);
        }
        var seenLost = Stopwatch.GetElapsedTime(brokenAt);
        var fired = Stopwatch.GetElapsedTime(brokenAt, await lostFired.Task.WaitAsync(LeaseTtl + TimeSpan.FromSeconds(10), Token));
        output.WriteLine($"etcd {what}: still leading when asked at {lastLeading.TotalMilliseconds:F0} ms, lost when asked at {seenLost.TotalMilliseconds:F0} ms "
            + $"({asked} questions); Lost fired at {fired.TotalMilliseconds:F0} ms; load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static async Task<T> RetryWhileUnavailableAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (StoreUnavailableException) when (attempt < 5)
            {
                // The healed connection may still be reconnecting.
            }
        }
    }

    private EtcdCoordinatorStore Open(EtcdServer server, string instanceId) => Open(server.ClientUrl, instanceId);

    private EtcdCoordinatorStore Open(string endpoints, string instanceId)
    {
        var store = new EtcdCoordinatorStore(new EtcdStoreOptions
        {
            Endpoints = endpoints,
            KeyPrefix = _prefix,
            InstanceId = instanceId,
            LeaseTtl = LeaseTtl,
            CallTimeout = TimeSpan.FromSeconds(1),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
        });
        _stores.Add(store);
        return store;
    }
}
