using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HaAgent.Benchmarks.Common;
using HaAgent.Benchmarks.Coordinator;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Testing.Etcd;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Benchmarks.Store;

/// <summary>
/// The etcd read cache itself, in process, holding the benchmark cluster's 200 000 VMs + 2 000 hosts loaded from a real
/// etcd: one page of 1 000 VMs (<see cref="EtcdReadCache.ListAsync"/>, including its freshness checks) at a random
/// cursor, and one document by id. Also prints the cache's memory (estimate, and managed heap growth) and load time.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*ReadCachePage*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ReadCachePageBenchmark
{
    private EtcdServer? _etcd;
    private EtcdCoordinatorStore? _store;
    private EtcdReadCache? _cache;
    private readonly Random _random = new(20261126);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20).WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _etcd = EtcdServer.StartAsync().GetAwaiter().GetResult();
        var seeder = new EtcdCoordinatorStore(new EtcdStoreOptions { Endpoints = _etcd.ClientUrl, InstanceId = "bench-seed", CallTimeout = TimeSpan.FromSeconds(10) });
        ApiBenchmarkServer.SeedAsync(seeder).GetAwaiter().GetResult();
        _store = new EtcdCoordinatorStore(new EtcdStoreOptions { Endpoints = _etcd.ClientUrl, InstanceId = "bench-cache" });
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var loading = System.Diagnostics.Stopwatch.StartNew();
        _cache = new EtcdReadCache(_store, NullLogger<EtcdReadCache>.Instance);
        _cache.Start();
        if (!_cache.WaitUntilServingAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("the read cache did not load");
        }
        var loaded = loading.Elapsed;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var (documents, bytes) = _cache.Size;
        // What the API adds on a walk: each cached document keeps its rendered answer.
        string? after = null;
        do
        {
            var page = _cache.ListAsync("vms/", after, 1000, CancellationToken.None).GetAwaiter().GetResult();
            foreach (var document in page.Documents)
            {
                StoredRendering.Cached(document);
            }
            after = page.NextStartAfter;
        }
        while (after is not null);
        var heapRendered = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(
            $"// read cache: {documents} documents loaded and serving in {loaded.TotalSeconds:F1} s; estimate (with rendered answers) {bytes / 1048576.0:F1} MiB; " +
            $"managed heap +{(heapAfter - heapBefore) / 1048576.0:F1} MiB loaded, +{(heapRendered - heapBefore) / 1048576.0:F1} MiB with every VM's answer rendered; " +
            $"load average {LoadAverage.Read()}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var (cacheReads, etcdReads, loads) = _cache!.Counters;
        Console.WriteLine($"// read cache: {cacheReads} reads from memory, {etcdReads} from etcd, {loads} loads; load average {LoadAverage.Read()}");
        _cache.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _etcd!.Dispose();
    }

    [Benchmark(Description = "page of 1000 VMs at a random cursor (of 200 000)")]
    public async Task<int> Page()
    {
        var page = _random.Next(ApiBenchmarkServer.VmCount / 1000);
        var after = page == 0 ? null : "vms/" + ApiBenchmarkServer.VmId(page * 1000 - 1);
        var result = await _cache!.ListAsync("vms/", after, 1000, CancellationToken.None);
        return result.Documents.Count == 1000 ? result.Documents.Count : throw new InvalidOperationException($"page {page}: {result.Documents.Count}");
    }

    [Benchmark(Description = "one VM by id")]
    public async Task<long> Get()
    {
        var document = await _cache!.GetAsync("vms/" + ApiBenchmarkServer.VmId(_random.Next(ApiBenchmarkServer.VmCount)), CancellationToken.None);
        return document?.Version ?? throw new InvalidOperationException("missing VM");
    }
}
