using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HaAgent.Benchmarks.Core;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

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
        Engine = new CoordinatorEngine(
            store,
            Api,
            Sink,
            Outbox,
            null,
            Metrics,
            Options.Create(new EngineOptions { IterationPeriod = TimeSpan.FromMilliseconds(20), ChangePollPeriod = TimeSpan.FromMilliseconds(50) }),
            new FixedTimeProvider(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero)),
            NullLogger<CoordinatorEngine>.Instance);
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

    public static string HostId(int index) => $"host{index:D5}";

    public static string VmId(int index) => $"vm{index:D6}";

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
        await cluster.SeedAsync();
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

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private async Task SeedAsync()
    {
        var writes = new List<DocumentWrite>();
        var shards = Enumerable.Range(0, CoordinatorEngine.VmShardCount)
            .Select(static _ => new VmShardDocument(new Dictionary<string, string>(StringComparer.Ordinal), [])).ToArray();
        for (var h = 0; h < HostCount; h++)
        {
            writes.Add(DocumentWrite.Put(ApiStore.HostsPrefix + HostId(h), JsonSerializer.SerializeToUtf8Bytes(
                new HostDocument(HostId(h), 256, 1 << 20, $"rack{h / 40}", $"pdu{h / 20}", "z1", false), ApiJsonContext.Default.HostDocument)));
            await FlushAsync(writes, StoreLimits.MaxBatchWrites);
        }
        for (var v = 0; v < VmCount; v++)
        {
            var id = VmId(v);
            var host = HostId(v % HostCount);
            writes.Add(DocumentWrite.Put(ApiStore.VmsPrefix + id, JsonSerializer.SerializeToUtf8Bytes(
                new VmDocument(id, 2, 4096, [$"ceph:rbd/{id}"], v % 7, null, true, host), ApiJsonContext.Default.VmDocument)));
            shards[CoordinatorEngine.ShardOf(id)].Placement[id] = host;
            await FlushAsync(writes, StoreLimits.MaxBatchWrites);
        }
        await FlushAsync(writes, 1);
        for (var i = 0; i < shards.Length; i++)
        {
            writes.Add(DocumentWrite.Put(CoordinatorEngine.ShardKey(i), JsonSerializer.SerializeToUtf8Bytes(shards[i], EngineJsonContext.Default.VmShardDocument)));
            await FlushAsync(writes, 40); // ~800 placements per shard: 40 stay under the 1 MiB per commit
        }
        writes.Add(DocumentWrite.Put(CoordinatorEngine.SnapshotKey, JsonSerializer.SerializeToUtf8Bytes(
            new SnapshotDocument(SnapshotDocument.CurrentFormatVersion, Leadership.Epoch, 0, CoordinatorEngine.VmShardCount, []),
            EngineJsonContext.Default.SnapshotDocument)));
        await FlushAsync(writes, 1);
    }

    private async Task FlushAsync(List<DocumentWrite> writes, int atLeast)
    {
        if (writes.Count >= atLeast && writes.Count > 0)
        {
            var result = await Store.CommitAsync(Leadership, writes, null, CancellationToken.None);
            if (!result.Committed)
            {
                throw new InvalidOperationException("seeding commit refused");
            }
            writes.Clear();
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
