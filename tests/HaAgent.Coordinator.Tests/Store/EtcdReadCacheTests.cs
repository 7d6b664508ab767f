using System.Diagnostics;
using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Testing.Etcd;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Store;

/// <summary>
/// The etcd read cache against a real etcd: it answers like the store, sees every change through its watch, shows a
/// coordinator its own writes at once, reloads after a compacted watch, and stops answering from memory within its
/// staleness bound when etcd freezes or dies (reads then go to etcd and fail cleanly).
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdReadCacheTests(EtcdServerFixture etcd, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMilliseconds(600);
    private readonly string _prefix = $"/test-{Guid.NewGuid():N}/";
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly CancellationTokenSource _testTimeout = new(TimeSpan.FromSeconds(90));

    private CancellationToken Token => _testTimeout.Token;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Caches first: they read through their store.
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
        _testTimeout.Dispose();
    }

    [SkippableFact]
    public async Task Load_ThenEveryPageAndGet_MatchTheStore_AndComeFromMemory()
    {
        var server = etcd.Require();
        var store = Open(server.ClientUrl, "c1");
        var leadership = await store.CampaignAsync(Token);
        var keys = Enumerable.Range(0, 1234).Select(i => $"vms/vm-{i:D5}")
            .Concat(Enumerable.Range(0, 40).Select(i => $"hosts/h{i:D3}"))
            .Concat(Enumerable.Range(0, 7).Select(i => $"rules/r{i}"))
            .Concat(["vmsx/not-a-vm", "engine/snapshot"])
            .ToList();
        foreach (var batch in keys.Chunk(50))
        {
            await store.CommitAsync(leadership, batch.Select(k => DocumentWrite.Put(k, Json(k))).ToList(), null, Token);
        }
        var cache = await ServingCacheAsync(store, loadPageSize: 100);
        Assert.Equal(1234 + 40 + 7, cache.Size.Documents);

        foreach (var (prefix, limit) in new[] { ("vms/", 1000), ("vms/", 7), ("vms/vm-001", 50), ("hosts/", 1000), ("rules/", 3), ("rules/zzz", 10) })
        {
            string? after = null;
            var pages = 0;
            do
            {
                var expected = await store.ListAsync(prefix, after, limit, Token);
                var actual = await cache.ListAsync(prefix, after, limit, Token);
                Assert.Equal(Describe(expected), Describe(actual));
                after = actual.NextStartAfter;
                pages++;
            }
            while (after is not null);
            output.WriteLine($"{prefix} limit {limit}: {pages} pages equal");
        }
        Assert.Equal(Describe(await store.GetAsync("vms/vm-00042", Token)), Describe(await cache.GetAsync("vms/vm-00042", Token)));
        Assert.Null(await cache.GetAsync("vms/vm-99999", Token));
        var before = cache.Counters;
        // Not a cached prefix: answered by etcd.
        Assert.NotNull(await cache.GetAsync("engine/snapshot", Token));
        Assert.Equal(before.EtcdReads + 1, cache.Counters.EtcdReads);
        // All of these may fall back to etcd only if this loaded box stalls the watch past the staleness bound.
        Assert.True(before.CacheReads > before.EtcdReads, $"cache reads {before.CacheReads}, etcd reads {before.EtcdReads}");
        Assert.ThrowsAny<ArgumentException>(() => cache.ListAsync("vms/", null, 0, Token).GetAwaiter().GetResult());
    }

    [SkippableFact]
    public async Task OwnWrites_AreVisibleToTheNextRead_WithoutWaiting_AndDeletesToo()
    {
        var server = etcd.Require();
        var store = Open(server.ClientUrl, "c1");
        var leadership = await store.CampaignAsync(Token);
        var cache = await ServingCacheAsync(store);

        for (var i = 0; i < 50; i++)
        {
            var written = await store.PutAsync(leadership, "vms/v1", Json($"v1 #{i}"), null, Token);
            var read = await cache.GetAsync("vms/v1", Token);
            Assert.Equal(written.Version, read?.Version);
            Assert.Equal($"v1 #{i}", Name(read!));
        }
        await store.DeleteAsync(leadership, "vms/v1", null, Token);
        Assert.Null(await cache.GetAsync("vms/v1", Token));
        Assert.Empty((await cache.ListAsync("vms/", null, 10, Token)).Documents);
        var result = await store.CommitAsync(leadership, [DocumentWrite.Put("hosts/a", Json("a")), DocumentWrite.Put("rules/b", Json("b"))], Json("audit"), Token);
        Assert.Equal(result.Revision, (await cache.GetAsync("rules/b", Token))?.Version);
        var counters = cache.Counters;
        Assert.True(counters.CacheReads > counters.EtcdReads, $"cache reads {counters.CacheReads}, etcd reads {counters.EtcdReads}");
        output.WriteLine($"cache reads {counters.CacheReads}, etcd reads {counters.EtcdReads}");
    }

    [SkippableFact]
    public async Task Prerender_RendersLoadedAndWatchedDocuments_AndANonObjectDocumentBreaksNothing()
    {
        var server = etcd.Require();
        var store = Open(server.ClientUrl, "c1");
        var leadership = await store.CampaignAsync(Token);
        await store.PutAsync(leadership, "vms/loaded", Json("loaded"), null, Token);
        await store.PutAsync(leadership, "vms/not-an-object", "[1,2]"u8.ToArray(), null, Token);
        var cache = await ServingCacheAsync(store, prepare: HaAgent.Coordinator.Api.StoredRendering.Prerender);

        var written = await store.PutAsync(leadership, "vms/watched", Json("watched"), null, Token);
        foreach (var (key, version) in new[] { ("vms/loaded", 0L), ("vms/watched", written.Version) })
        {
            var document = (await cache.GetAsync(key, Token))!;
            Assert.NotNull(document.Rendered);
            var rendered = System.Text.Json.JsonDocument.Parse(document.Rendered).RootElement;
            Assert.Equal(document.Version, rendered.GetProperty("version").GetInt64());
            Assert.True(version == 0 || version == document.Version);
        }
        Assert.Null((await cache.GetAsync("vms/not-an-object", Token))!.Rendered);
        Assert.Equal(3, (await cache.ListAsync("vms/", null, 10, Token)).Documents.Count);
    }

    [SkippableFact]
    public async Task TwoCoordinators_EachSeesTheOthersWrites_AndANewLeaderSeesAllOfTheOld()
    {
        var server = etcd.Require();
        var a = Open(server.ClientUrl, "a");
        var b = Open(server.ClientUrl, "b");
        var cacheA = await ServingCacheAsync(a);
        var cacheB = await ServingCacheAsync(b);

        var leaderA = await a.CampaignAsync(Token);
        var byA = await a.PutAsync(leaderA, "vms/from-a", Json("from-a"), null, Token);
        var seen = await EventuallyAsync(async () => await cacheB.GetAsync("vms/from-a", Token), TimeSpan.FromSeconds(5));
        output.WriteLine($"b saw a's write after {seen.TotalMilliseconds:F0} ms");
        Assert.Equal(byA.Version, (await cacheB.GetAsync("vms/from-a", Token))?.Version);

        // A's last write, then hand over: B's first read as leader must already show it.
        var last = await a.PutAsync(leaderA, "vms/from-a", Json("last from a"), null, Token);
        await a.ResignAsync(leaderA, Token);
        var leaderB = await b.CampaignAsync(Token);
        Assert.Equal(last.Version, (await cacheB.GetAsync("vms/from-a", Token))?.Version);
        var byB = await b.PutAsync(leaderB, "vms/from-b", Json("from-b"), null, Token);
        Assert.Equal(byB.Version, (await cacheB.GetAsync("vms/from-b", Token))?.Version);
        await EventuallyAsync(async () => await cacheA.GetAsync("vms/from-b", Token), TimeSpan.FromSeconds(5));
        await b.DeleteAsync(leaderB, "vms/from-a", null, Token);
        await EventuallyAsync(async () => await cacheA.GetAsync("vms/from-a", Token) is null ? "gone" : null, TimeSpan.FromSeconds(5));
        Assert.Equal(["vms/from-b"], (await cacheA.ListAsync("vms/", null, 100, Token)).Documents.Select(d => d.Key));
    }

    [SkippableFact]
    public async Task WatchStartCompacted_CacheReloads_AndShowsTheWriteMadeMeanwhile()
    {
        var server = etcd.Require();
        var store = Open(server.ClientUrl, "c1");
        var leadership = await store.CampaignAsync(Token);
        await store.PutAsync(leadership, "vms/old", Json("old"), null, Token);
        using var client = new EtcdClient(server.ClientUrl);
        var hookRuns = 0;
        var cache = await ServingCacheAsync(store, beforeWatch: async revision =>
        {
            if (Interlocked.Increment(ref hookRuns) != 1)
            {
                return;
            }
            // Between the load at `revision` and the watch: a change, and history compacted past it.
            // (A compaction at N keeps N itself, so compact at a later revision than the watch's start.)
            await store.PutAsync(leadership, "vms/meanwhile", Json("meanwhile"), null, Token);
            var written = await store.PutAsync(leadership, "engine/later", Json("later"), null, Token);
            await client.CompactAsync(new CompactionRequest { Revision = written.Version, Physical = true });
            output.WriteLine($"loaded at {revision}, wrote and compacted at {written.Version}");
        });
        Assert.True(cache.Counters.Loads >= 2, $"loads: {cache.Counters.Loads}");
        Assert.Equal(["vms/meanwhile", "vms/old"], (await cache.ListAsync("vms/", null, 10, Token)).Documents.Select(d => d.Key));
    }

    [SkippableFact]
    public async Task EtcdFrozen_CacheStopsAnsweringWithinItsBound_ReadsFailCleanly_ThenServesAgain()
    {
        using var server = await EtcdServer.StartAsync();
        var (_, _, cache) = await ServingV1Async(server.ClientUrl, "v1");

        var lastServed = await ReadUntilFailureAsync(cache, server.Pause);
        server.Resume();
        Assert.True(await cache.WaitUntilServingAsync(TimeSpan.FromSeconds(20), Token), "cache did not serve again after etcd resumed");
        Assert.Equal("v1", Name((await cache.GetAsync("vms/v1", Token))!));
        output.WriteLine($"frozen: last answer from memory {lastServed.TotalMilliseconds:F0} ms after the freeze");
    }

    [SkippableFact]
    public async Task EtcdKilled_CacheStopsAnsweringWithinItsBound_ReadsFailCleanly()
    {
        using var server = await EtcdServer.StartAsync();
        var (_, _, cache) = await ServingV1Async(server.ClientUrl, "v1");

        var lastServed = await ReadUntilFailureAsync(cache, server.Kill);
        output.WriteLine($"killed: last answer from memory {lastServed.TotalMilliseconds:F0} ms after the kill");
    }

    [SkippableFact]
    public async Task FollowerCutOff_StopsAnsweringFromMemoryWithinItsBound_WhileTheLeaderWrites_ThenShowsTheWrites()
    {
        var server = etcd.Require();
        using var proxy = TcpProxy.Start(new Uri(server.ClientUrl).Port);
        var (leaderStore, leadership, cache) = await ServingV1Async(server.ClientUrl, "before", followerUrl: proxy.Url);
        Assert.Equal("before", Name((await cache.GetAsync("vms/v1", Token))!));

        var lastServed = await ReadUntilFailureAsync(cache, () =>
        {
            proxy.Partition();
            // The leader goes on writing where the follower cannot see it.
            leaderStore.PutAsync(leadership, "vms/v1", Json("during"), null, Token).GetAwaiter().GetResult();
        });
        proxy.Heal();
        Assert.True(await cache.WaitUntilServingAsync(TimeSpan.FromSeconds(20), Token), "cache did not serve again after the partition healed");
        Assert.Equal("during", Name((await cache.GetAsync("vms/v1", Token))!));
        output.WriteLine($"partitioned: last answer from memory {lastServed.TotalMilliseconds:F0} ms after the cut; loads {cache.Counters.Loads}");
    }

    /// <summary>
    /// Breaks etcd, then reads in a loop: answers may come only from reads that began within the staleness bound
    /// after the break (no stale data later); afterwards every read fails with StoreUnavailableException (the API's
    /// 503), within the call timeout, never anything else.
    /// </summary>
    private async Task<TimeSpan> ReadUntilFailureAsync(EtcdReadCache cache, Action breakEtcd)
    {
        var clock = Stopwatch.StartNew();
        breakEtcd();
        var brokenAt = clock.Elapsed;
        var lastServed = TimeSpan.Zero;
        var failures = 0;
        while (failures < 3)
        {
            var began = clock.Elapsed;
            Assert.True(began - brokenAt < TimeSpan.FromSeconds(20), "reads kept answering");
            try
            {
                var page = await cache.ListAsync("vms/", null, 10, Token);
                Assert.Single(page.Documents);
                // Whatever is answered must be what etcd held before the break.
                Assert.NotEqual("during", Name(page.Documents[0]));
                lastServed = began - brokenAt;
                // A little slack for the timer: the bound is measured from the last answered progress request, sent before the break.
                Assert.True(lastServed <= StaleAfter + TimeSpan.FromMilliseconds(100), $"served from memory {lastServed.TotalMilliseconds:F0} ms after etcd broke");
                await Task.Delay(20, Token);
            }
            catch (StoreUnavailableException)
            {
                var took = clock.Elapsed - began;
                Assert.True(took < TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(1.5), $"a failing read took {took.TotalMilliseconds:F0} ms");
                failures++;
            }
        }
        Assert.False(cache.IsServing);
        return lastServed;
    }

    private static async Task<TimeSpan> EventuallyAsync<T>(Func<Task<T?>> read, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        while (await read() is null)
        {
            Assert.True(clock.Elapsed < bound, $"not visible within {bound}");
            await Task.Delay(10);
        }
        return clock.Elapsed;
    }

    private EtcdCoordinatorStore Open(string url, string instanceId)
    {
        var store = new EtcdCoordinatorStore(new EtcdStoreOptions
        {
            Endpoints = url,
            KeyPrefix = _prefix,
            InstanceId = instanceId,
            // Not a leadership test: a lease that survives this loaded box's scheduling hiccups.
            LeaseTtl = TimeSpan.FromSeconds(5),
            CampaignPollInterval = TimeSpan.FromMilliseconds(50),
            ReadCache = new EtcdReadCacheOptions
            {
                StaleAfter = StaleAfter,
                ProgressInterval = TimeSpan.FromMilliseconds(100),
                WatchdogTimeout = TimeSpan.FromSeconds(2),
                RetryDelay = TimeSpan.FromMilliseconds(100),
            },
        });
        _owned.Add(store);
        return store;
    }

    /// <summary>
    /// What the fault tests start from: a leader that wrote vms/v1 (named <paramref name="v1"/>) and a serving cache —
    /// on the leader's own store, or on a follower's reaching etcd through <paramref name="followerUrl"/>.
    /// </summary>
    private async Task<(EtcdCoordinatorStore Leader, Leadership Leadership, EtcdReadCache Cache)> ServingV1Async(string url, string v1, string? followerUrl = null)
    {
        var leader = Open(url, "leader");
        var leadership = await leader.CampaignAsync(Token);
        await leader.PutAsync(leadership, "vms/v1", Json(v1), null, Token);
        var cache = await ServingCacheAsync(followerUrl is null ? leader : Open(followerUrl, "follower"));
        return (leader, leadership, cache);
    }

    private async Task<EtcdReadCache> ServingCacheAsync(EtcdCoordinatorStore store, int? loadPageSize = null, Func<long, Task>? beforeWatch = null, Action<StoredDocument>? prepare = null)
    {
        if (loadPageSize is { } size)
        {
            store.Options.ReadCache.LoadPageSize = size;
        }
        var cache = new EtcdReadCache(store, NullLogger<EtcdReadCache>.Instance, prepare: prepare) { BeforeWatchForTesting = beforeWatch };
        _owned.Add(cache);
        cache.Start();
        Assert.True(await cache.WaitUntilServingAsync(TimeSpan.FromSeconds(15), Token));
        return cache;
    }

    private static byte[] Json(string name) => Encoding.UTF8.GetBytes($$"""{"name":"{{name}}"}""");

    private static string Name(StoredDocument document) =>
        System.Text.Json.JsonDocument.Parse(document.Value).RootElement.GetProperty("name").GetString()!;

    private static string Describe(StoredDocument? document) =>
        document is null ? "null" : $"{document.Key}@{document.Version}={Encoding.UTF8.GetString(document.Value.Span)}";

    private static string Describe(DocumentPage page) =>
        string.Join("\n", page.Documents.Select(Describe)) + $"\nnext={page.NextStartAfter}";
}
