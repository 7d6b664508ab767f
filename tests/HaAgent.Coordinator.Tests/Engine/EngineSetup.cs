using System.Text.Json;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>
/// What the engine tests and the engine benchmark set up alike: the engine wired as they run it, and a big cluster's
/// documents as the API and a previous leader would have left them. benchmarks/HaAgent.Benchmarks compiles this file
/// too (a linked source file: the coordinator's internals are visible to both assemblies, not to HaAgent.Testing), so
/// it must not use xunit.
/// </summary>
internal static class EngineSetup
{
    /// <summary>The real engine stepping every 20 ms and reading API changes from the audit log every 50 ms.</summary>
    public static CoordinatorEngine Engine(
        ICoordinatorStore store, AgentMessageSink sink, IAgentOrderOutbox outbox, StorageHeartbeatMonitor? heartbeats, EngineMetrics metrics, TimeProvider time, ApiStore? api = null) =>
        new(
            store,
            api ?? new ApiStore(store, NullLogger<ApiStore>.Instance),
            sink,
            outbox,
            heartbeats,
            metrics,
            Options.Create(new EngineOptions { IterationPeriod = TimeSpan.FromMilliseconds(20), ChangePollPeriod = TimeSpan.FromMilliseconds(50) }),
            time,
            NullLogger<CoordinatorEngine>.Instance);

    /// <summary>Host <paramref name="index"/> of <see cref="SeedBigClusterAsync"/>.</summary>
    public static string BigClusterHostId(int index) => $"host{index:D5}";

    /// <summary>VM <paramref name="index"/> of <see cref="SeedBigClusterAsync"/>.</summary>
    public static string BigClusterVmId(int index) => $"vm{index:D6}";

    /// <summary>
    /// Commits a big cluster under <paramref name="leadership"/>: <paramref name="hosts"/> hosts (256 CPUs, 1 TiB, 40 to a
    /// rack, 20 to a PDU) and <paramref name="vms"/> protected VMs, each with a Ceph volume, placed round-robin (VM v on
    /// host v mod hosts) with its document naming that host; then the engine's placement snapshot in its shards, as a
    /// previous leader would have left it. About 30 s for 200 000 VMs on the 2-core box.
    /// </summary>
    public static async Task SeedBigClusterAsync(ICoordinatorStore store, Leadership leadership, int hosts, int vms)
    {
        var writes = new List<DocumentWrite>();
        async Task FlushAsync(int atLeast)
        {
            if (writes.Count >= atLeast && writes.Count > 0)
            {
                var result = await store.CommitAsync(leadership, writes, null, CancellationToken.None);
                if (!result.Committed)
                {
                    throw new InvalidOperationException("seeding commit refused");
                }
                writes.Clear();
            }
        }

        var shards = Enumerable.Range(0, CoordinatorEngine.VmShardCount)
            .Select(static _ => new VmShardDocument(new Dictionary<string, string>(StringComparer.Ordinal), [])).ToArray();
        for (var h = 0; h < hosts; h++)
        {
            var id = BigClusterHostId(h);
            writes.Add(DocumentWrite.Put(ApiStore.HostsPrefix + id, JsonSerializer.SerializeToUtf8Bytes(
                new HostDocument(id, 256, 1 << 20, $"rack{h / 40}", $"pdu{h / 20}", "z1", false), ApiJsonContext.Default.HostDocument)));
            await FlushAsync(StoreLimits.MaxBatchWrites);
        }
        for (var v = 0; v < vms; v++)
        {
            var id = BigClusterVmId(v);
            var host = BigClusterHostId(v % hosts);
            writes.Add(DocumentWrite.Put(ApiStore.VmsPrefix + id, JsonSerializer.SerializeToUtf8Bytes(
                new VmDocument(id, 2, 4096, [$"ceph:rbd/{id}"], v % 7, null, true, host), ApiJsonContext.Default.VmDocument)));
            shards[CoordinatorEngine.ShardOf(id)].Placement[id] = host;
            await FlushAsync(StoreLimits.MaxBatchWrites);
        }
        await FlushAsync(1);
        for (var i = 0; i < shards.Length; i++)
        {
            writes.Add(DocumentWrite.Put(CoordinatorEngine.ShardKey(i), JsonSerializer.SerializeToUtf8Bytes(shards[i], EngineJsonContext.Default.VmShardDocument)));
            await FlushAsync(40); // ~800 placements per shard at 200 000 VMs: 40 stay under the 1 MiB per commit
        }
        writes.Add(DocumentWrite.Put(CoordinatorEngine.SnapshotKey, JsonSerializer.SerializeToUtf8Bytes(
            new SnapshotDocument(SnapshotDocument.CurrentFormatVersion, leadership.Epoch, 0, CoordinatorEngine.VmShardCount, []),
            EngineJsonContext.Default.SnapshotDocument)));
        await FlushAsync(1);
    }
}
