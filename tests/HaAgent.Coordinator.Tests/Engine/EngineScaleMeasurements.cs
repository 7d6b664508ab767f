using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;
using Microsoft.Extensions.DependencyInjection;
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
        await EngineSetup.SeedBigClusterAsync(store, leadership, hostCount, vmCount);
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
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ops"), new Claim(ApiClaims.Role, ApiRoles.Operator)], "test"));
        // One VM change at a time through the API's own commit path: how long until the live core has it, and the
        // longest pause between two engine steps meanwhile (a full rebuild stalled them for seconds).
        var (_, idleGap) = await WatchStepsAsync(harness, System.Diagnostics.Stopwatch.StartNew(), static () => true);
        output.WriteLine($"nothing changing: longest gap between steps over 2 s: {idleGap.TotalMilliseconds:0} ms (iteration period 20 ms); load average {LoadAverage()}");
        foreach (var (action, change) in new (string, Func<VmDocument, VmDocument>)[]
        {
            ("vm.priority", static vm => vm with { Priority = 99 }),
            ("vm.unprotect", static vm => vm with { Protected = false }),
            ("vm.protect", static vm => vm with { Protected = true }),
            ("vm.group", static vm => vm with { Group = "gold" }),
        })
        {
            var (vm, version, raw) = await api.GetAsync(ApiStore.VmsPrefix + "vm000001", ApiJsonContext.Default.VmDocument, CancellationToken.None);
            var appliedBefore = harness.Engine.IncrementalChanges;
            var rebuildsBefore = harness.Engine.Rebuilds;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await api.CommitAsync(user, action, ApiStore.VmsPrefix + "vm000001",
                raw, JsonSerializer.SerializeToUtf8Bytes(change(vm!), ApiJsonContext.Default.VmDocument), version, CancellationToken.None);
            var (reflected, maxGap) = await WatchStepsAsync(harness, clock, () => harness.Engine.IncrementalChanges > appliedBefore || harness.Engine.Rebuilds > rebuildsBefore);
            output.WriteLine($"{action} of one VM -> core has it: {reflected.TotalMilliseconds:0} ms (apply {harness.Engine.LastIncremental.TotalMilliseconds:0.0} ms, rebuilds {harness.Engine.Rebuilds - rebuildsBefore}); longest gap between steps: {maxGap.TotalMilliseconds:0} ms; load average {LoadAverage()}");
        }

        // An audited step that moves one VM (vm000001, protected again, is adopted from its host's report): the
        // commit writes its shard only, and the VM document's host follows in a batch after it.
        var lastCommit = harness.Engine.LastCommit;
        var adoptClock = System.Diagnostics.Stopwatch.StartNew();
        harness.Report(EngineSetup.BigClusterHostId(1), [.. Enumerable.Range(0, vmCount).Where(v => v % hostCount == 1).Select(EngineSetup.BigClusterVmId)]);
        await EngineHarness.WaitUntilAsync(() => harness.Engine.LastCommit != lastCommit, "the adoption committed", 60);
        output.WriteLine($"audited step moving one VM -> committed: {adoptClock.Elapsed.TotalMilliseconds:0} ms; commit {harness.Engine.LastCommit.TotalMilliseconds:0.0} ms (incremental shards); load average {LoadAverage()}");
        await EngineHarness.WaitUntilAsync(() => harness.Engine.VmHostsPending == 0, "VM document hosts written", 60);
        output.WriteLine($"VM document host write-back: {harness.Engine.VmHostsWritten} written, {harness.Engine.VmHostsPending} pending");

        var scrape = System.Diagnostics.Stopwatch.StartNew();
        var scanned = await MetricsEndpoints.ScanAsync(api, CancellationToken.None);
        output.WriteLine($"/metrics inventory by listing every document (before): {scrape.Elapsed.TotalMilliseconds:0} ms ({scanned.VmsProtected} protected); load average {LoadAverage()}");
        var services = new ServiceCollection()
            .AddSingleton(harness.Metrics)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(new EngineOptions()))
            .BuildServiceProvider();
        scrape.Restart();
        string text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await MetricsEndpoints.RenderTextAsync(services, api, new ApiRequestCounter(), CancellationToken.None);
        }
        output.WriteLine($"/metrics whole scrape from the engine's inventory (after): {scrape.Elapsed.TotalMilliseconds / 100:0.000} ms; {text.Split('\n').First(static l => l.StartsWith("haagent_vms{protection=\"protected\"}", StringComparison.Ordinal))}");

        // The fallback: a change the engine cannot pin on one document rebuilds everything.
        var rebuildClock = System.Diagnostics.Stopwatch.StartNew();
        var before = harness.Engine.Rebuilds;
        await harness.Store.AppendAuditAsync(harness.Leadership, System.Text.Encoding.UTF8.GetBytes("{\"action\":\"vm.import\"}"), CancellationToken.None);
        var (rebuilt, rebuildGap) = await WatchStepsAsync(harness, rebuildClock, () => harness.Engine.Rebuilds > before);
        output.WriteLine($"fallback full rebuild: {harness.Engine.LastRebuild.TotalMilliseconds:0} ms (change -> core {rebuilt.TotalMilliseconds:0} ms, longest gap between steps {rebuildGap.TotalMilliseconds:0} ms); load average {LoadAverage()}");
    }

    /// <summary>Waits for <paramref name="reflected"/>, then 2 s more, sampling the engine's step counter every 2 ms.</summary>
    private static async Task<(TimeSpan Reflected, TimeSpan MaxGap)> WatchStepsAsync(EngineHarness harness, System.Diagnostics.Stopwatch clock, Func<bool> reflected)
    {
        var lastSteps = harness.Engine.Steps;
        var lastAt = clock.Elapsed;
        var maxGap = TimeSpan.Zero;
        TimeSpan? at = null;
        while (at is null ? clock.Elapsed < TimeSpan.FromSeconds(300) : clock.Elapsed < at.Value + TimeSpan.FromSeconds(2))
        {
            await Task.Delay(2);
            var steps = harness.Engine.Steps;
            if (steps != lastSteps)
            {
                var gap = clock.Elapsed - lastAt;
                maxGap = gap > maxGap ? gap : maxGap;
                lastSteps = steps;
                lastAt = clock.Elapsed;
            }
            if (at is null && reflected())
            {
                at = clock.Elapsed;
            }
        }
        Assert.NotNull(at);
        return (at.Value, maxGap);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
