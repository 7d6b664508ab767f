using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>
/// Opt-in figures for a big cluster (HAAGENT_ENGINE_SCALE=1; HAAGENT_ENGINE_SCALE_HOSTS / _VMS to resize): term
/// load, steady step, snapshot commit and rebuild cost. Seeds every document into SQLite first (minutes), so it is
/// not part of the normal run.
/// </summary>
public sealed class EngineScaleMeasurements(ITestOutputHelper output)
{
    // A measurement, not a check: scripts/test.sh (CI) leaves the Measurement category out; run it with
    // HAAGENT_ENGINE_SCALE=1 dotnet test tests/HaAgent.Coordinator.Tests -c Release --filter Category=Measurement
    [SkippableFact]
    [Trait("Category", "Measurement")]
    public async Task LoadStepCommitRebuild_BigCluster_Figures()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("HAAGENT_ENGINE_SCALE") == "1", "set HAAGENT_ENGINE_SCALE=1 to measure (seeds ~210 000 documents)");
        var hostCount = int.Parse(Environment.GetEnvironmentVariable("HAAGENT_ENGINE_SCALE_HOSTS") ?? "10000", CultureInfo.InvariantCulture);
        var vmCount = int.Parse(Environment.GetEnvironmentVariable("HAAGENT_ENGINE_SCALE_VMS") ?? "200000", CultureInfo.InvariantCulture);
        using var directory = new TempDirectory("engine-scale");
        await using var store = SqliteCoordinatorStore.Open(new SqliteStoreOptions
        {
            Path = directory.File("coordinator.db"),
            InstanceId = "c1",
            LeaseTtl = TimeSpan.FromSeconds(30),
        });
        var leadership = await store.CampaignAsync(CancellationToken.None);
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var writes = new List<DocumentWrite>();
        var shards = Enumerable.Range(0, CoordinatorEngine.VmShardCount).Select(static _ => new VmShardDocument(new Dictionary<string, string>(StringComparer.Ordinal), [])).ToArray();
        for (var h = 0; h < hostCount; h++)
        {
            var id = $"host{h:D5}";
            writes.Add(DocumentWrite.Put(ApiStore.HostsPrefix + id, JsonSerializer.SerializeToUtf8Bytes(
                new HostDocument(id, 256, 1 << 20, $"rack{h / 40}", $"pdu{h / 20}", "z1", false), ApiJsonContext.Default.HostDocument)));
            await FlushIfFullAsync(store, leadership, writes);
        }
        for (var v = 0; v < vmCount; v++)
        {
            var id = $"vm{v:D6}";
            writes.Add(DocumentWrite.Put(ApiStore.VmsPrefix + id, JsonSerializer.SerializeToUtf8Bytes(
                new VmDocument(id, 2, 4096, [$"ceph:rbd/{id}"], v % 7, null, true, null), ApiJsonContext.Default.VmDocument)));
            shards[CoordinatorEngine.ShardOf(id)].Placement[id] = $"host{v % hostCount:D5}";
            await FlushIfFullAsync(store, leadership, writes);
        }
        await FlushIfFullAsync(store, leadership, writes, force: true);
        for (var i = 0; i < shards.Length; i++)
        {
            writes.Add(DocumentWrite.Put(CoordinatorEngine.ShardKey(i), JsonSerializer.SerializeToUtf8Bytes(shards[i], EngineJsonContext.Default.VmShardDocument)));
            if (writes.Count == 40)
            {
                await FlushIfFullAsync(store, leadership, writes, force: true);
            }
        }
        writes.Add(DocumentWrite.Put(CoordinatorEngine.SnapshotKey, JsonSerializer.SerializeToUtf8Bytes(
            new SnapshotDocument(SnapshotDocument.CurrentFormatVersion, leadership.Epoch, 0, CoordinatorEngine.VmShardCount, []),
            EngineJsonContext.Default.SnapshotDocument)));
        await FlushIfFullAsync(store, leadership, writes, force: true);
        output.WriteLine($"seeded {hostCount} hosts, {vmCount} VMs in {seeding.Elapsed.TotalSeconds:0.0} s");

        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        await using var harness = await EngineHarness.StartAsync(store, startSeconds: 300);
        output.WriteLine($"term load (snapshot + agents + documents + core): {harness.Engine.LastLoad.TotalMilliseconds:0} ms");
        await EngineHarness.WaitUntilAsync(() => harness.Engine.LastCommit > TimeSpan.Zero, "the first commit (epoch announcement + snapshot)", 300);
        output.WriteLine($"first snapshot commit ({vmCount} placements serialised, compared, unchanged shards skipped): {harness.Engine.LastCommit.TotalMilliseconds:0} ms");
        var (count0, sum0) = harness.Metrics.Iterations;
        await harness.StepsAsync(50);
        var (count1, sum1) = harness.Metrics.Iterations;
        output.WriteLine($"steady step, no observation, {hostCount} hosts: mean {(sum1 - sum0) / (count1 - count0) * 1000:0.000} ms over {count1 - count0} steps");
        output.WriteLine($"managed heap after load: {(GC.GetTotalMemory(forceFullCollection: true) - memoryBefore) / (1024 * 1024)} MiB more");

        var api = new ApiStore(store, NullLogger<ApiStore>.Instance);
        var (vm, version, raw) = await api.GetAsync(ApiStore.VmsPrefix + "vm000001", ApiJsonContext.Default.VmDocument, CancellationToken.None);
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops"), new Claim(ApiClaims.Role, ApiRoles.Operator)], "test"));
        await api.CommitAsync(user, "vm.update", ApiStore.VmsPrefix + "vm000001",
            raw, JsonSerializer.SerializeToUtf8Bytes(vm! with { Priority = 99 }, ApiJsonContext.Default.VmDocument), version, CancellationToken.None);
        await EngineHarness.WaitUntilAsync(() => harness.Engine.LastRebuild > TimeSpan.Zero, "a rebuild after the VM update", 300);
        output.WriteLine($"rebuild after one VM update (list all documents + new core): {harness.Engine.LastRebuild.TotalMilliseconds:0} ms");
    }

    private static async Task FlushIfFullAsync(ICoordinatorStore store, Leadership leadership, List<DocumentWrite> writes, bool force = false)
    {
        if (writes.Count >= 50 || (force && writes.Count > 0))
        {
            var result = await store.CommitAsync(leadership, writes, null, CancellationToken.None);
            Assert.True(result.Committed);
            writes.Clear();
        }
    }
}
