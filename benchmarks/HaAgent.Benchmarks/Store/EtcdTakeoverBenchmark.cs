using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Testing.Etcd;
using Perfolizer.Mathematics.OutlierDetection;

namespace HaAgent.Benchmarks.Store;

/// <summary>
/// From the moment a leading coordinator dies (keep-alives stop, connections drop, lease left to expire) until a
/// campaigning standby holds the leader key — the store's share of a coordinator failover. Lease TTL 2 s.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*EtcdTakeover*'
/// </summary>
[Outliers(OutlierMode.DontRemove)]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 8, invocationCount: 1)]
public class EtcdTakeoverBenchmark
{
    private EtcdServer _etcd = null!;
    private EtcdCoordinatorStore? _leader;
    private EtcdCoordinatorStore? _standby;
    private Task<Leadership>? _campaign;
    private int _round;

    [GlobalSetup]
    public void Setup() => _etcd = EtcdServer.StartAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _etcd.Dispose();

    [IterationSetup]
    public void StartLeaderAndStandby()
    {
        var prefix = $"/takeover-{_round++}/";
        _leader = Open(prefix, "leader");
        _standby = Open(prefix, "standby");
        _ = _leader.TryAcquireLeadershipAsync(CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("a fresh prefix has no leader");
        // A random point in the keep-alive cycle, as a real crash would hit.
        Thread.Sleep(Random.Shared.Next(0, 700));
        _campaign = _standby.CampaignAsync(CancellationToken.None);
    }

    [IterationCleanup]
    public void StopBoth()
    {
        _standby!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _leader!.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "leader crash -> standby leads")]
    public long Takeover()
    {
        _leader!.CrashForTesting();
        return _campaign!.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Epoch;
    }

    private EtcdCoordinatorStore Open(string prefix, string instanceId) => new(new EtcdStoreOptions
    {
        Endpoints = _etcd.ClientUrl,
        KeyPrefix = prefix,
        InstanceId = instanceId,
        LeaseTtl = TimeSpan.FromSeconds(2),
        CampaignPollInterval = TimeSpan.FromMilliseconds(50),
    });
}
