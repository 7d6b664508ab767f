using System.Diagnostics;
using System.Globalization;
using HaAgent.Benchmarks.Core;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Coordinator.Tests.Engine;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Benchmarks.Engine;

/// <summary>
/// A big cluster on a real SQLite store and the real engine leading it: every host and protected VM document as the
/// API stores it (each VM with a Ceph volume, placed round-robin, its document naming that host) and the engine's
/// placement snapshot in its 256 shards, as a previous leader would have left it. The engine's clock stands still, so
/// no host is ever judged silent: what runs is the steady loop plus whatever the benchmark changes.
/// </summary>
internal sealed class BigCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly CancellationTokenSource _stop = new();

    private BigCluster(TempDirectory directory, SqliteCoordinatorStore store, Leadership leadership, int hosts, int vms)
    {
        _directory = directory;
        Store = store;
        Leadership = leadership;
        HostCount = hosts;
        VmCount = vms;
        Api = new ApiStore(store, NullLogger<ApiStore>.Instance);
        Engine = EngineSetup.Engine(store, Sink, Outbox, null, Metrics, new FixedTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)), Api);
    }

    public SqliteCoordinatorStore Store { get; }

    public Leadership Leadership { get; }

    public ApiStore Api { get; }

    public AgentMessageSink Sink { get; } = new();

    public CountingOutbox Outbox { get; } = new();

    public EngineMetrics Metrics { get; } = new();

    public CoordinatorEngine Engine { get; }

    public int HostCount { get; }

    public int VmCount { get; }

    public TimeSpan Seeding { get; private set; }

    public static string HostId(int index) => EngineSetup.BigClusterHostId(index);

    public static string VmId(int index) => EngineSetup.BigClusterVmId(index);

    /// <summary>Seeds the store (about 30 s for 200 000 VMs on the 2-core box) and starts the engine; returns once its core is loaded and stepping.</summary>
    public static async Task<BigCluster> StartAsync(int hosts, int vms)
    {
        var directory = new TempDirectory("engine-bench");
        var store = SqliteCoordinatorStore.Open(new SqliteStoreOptions
        {
            Path = directory.File("coordinator.db"),
            InstanceId = "bench",
            LeaseTtl = TimeSpan.FromSeconds(60),
        });
        var leadership = await store.CampaignAsync(CancellationToken.None);
        var cluster = new BigCluster(directory, store, leadership, hosts, vms);
        var seeding = Stopwatch.StartNew();
        await EngineSetup.SeedBigClusterAsync(store, leadership, hosts, vms);
        cluster.Seeding = seeding.Elapsed;
        await cluster.Engine.StartAsync(cluster._stop.Token);
        await WaitUntilAsync(() => cluster.Engine.Core is not null && cluster.Engine.Steps > 0 && cluster.Engine.LastCommit > TimeSpan.Zero, TimeSpan.FromMinutes(10));
        return cluster;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"not reached within {timeout}");
            }
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Engine.StopAsync(CancellationToken.None);
        Engine.Dispose();
        await Store.DisposeAsync();
        _stop.Dispose();
        _directory.Dispose();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{HostCount} hosts / {VmCount} VMs");
}
