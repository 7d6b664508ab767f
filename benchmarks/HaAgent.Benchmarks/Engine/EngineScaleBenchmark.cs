using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Benchmarks.Common;
using HaAgent.Coordinator.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HaAgent.Benchmarks.Engine;

/// <summary>
/// The coordinator engine leading a big cluster (default 10 000 hosts / 200 000 protected VMs on SQLite; resize with
/// HAAGENT_BENCH_ENGINE_HOSTS / HAAGENT_BENCH_ENGINE_VMS). Each operation is what an operator or Prometheus does,
/// timed until the engine has acted on it:
/// <list type="bullet">
/// <item>VmPriorityChange / HostLabelChange: one API change (committed with its audit record, as the API does) until
/// the live core has applied it — the audit feed poll (50 ms here) included.</item>
/// <item>HostMaintenanceDrain: maintenance on for one host until the step that orders its VMs stopped is committed
/// (only the shards of the VMs that changed are written).</item>
/// <item>FullRebuild: the fallback (a change the engine cannot pin on one document) until the new core is built.</item>
/// <item>MetricsInventoryFromEngine / MetricsInventoryByListing: a whole /metrics text from the engine's counts, and
/// the listing of every document it replaces.</item>
/// </list>
/// At cleanup each process prints the term load, the first (full) snapshot commit, the mean decision step, the last
/// commit, incremental apply and rebuild times, and the longest pause between two engine steps seen while the
/// operation ran — with the load average, since the box is shared.
/// Each operation takes milliseconds to seconds and its setup a minute (seeding), so a few single invocations are
/// measured, in process (the generated out-of-process project did not build within BenchmarkDotNet's 2-minute
/// timeout on the loaded 2-core box). Do not add --inProcess: the job below already is.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*EngineScale*'
/// </summary>
[Config(typeof(OneShotInProcess))]
public class EngineScaleBenchmark
{
    private static readonly ClaimsPrincipal Operator = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, "bench"), new Claim(ApiClaims.Role, ApiRoles.Operator)], "bench"));

    private BigCluster _cluster = null!;
    private IServiceProvider _services = null!;
    private TimeSpan _firstCommit;
    private (long Count, double SumSeconds) _stepsAtSetup;
    private TimeSpan _longestStepGap;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var hosts = int.Parse(Environment.GetEnvironmentVariable("HAAGENT_BENCH_ENGINE_HOSTS") ?? "10000", CultureInfo.InvariantCulture);
        var vms = int.Parse(Environment.GetEnvironmentVariable("HAAGENT_BENCH_ENGINE_VMS") ?? "200000", CultureInfo.InvariantCulture);
        _cluster = BigCluster.StartAsync(hosts, vms).GetAwaiter().GetResult();
        _firstCommit = _cluster.Engine.LastCommit;
        _stepsAtSetup = _cluster.Metrics.Iterations;
        _services = new ServiceCollection()
            .AddSingleton(_cluster.Metrics)
            .AddSingleton(Options.Create(new EngineOptions()))
            .BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var engine = _cluster.Engine;
        var (allSteps, allSeconds) = _cluster.Metrics.Iterations;
        var (steps, stepSeconds) = (allSteps - _stepsAtSetup.Count, allSeconds - _stepsAtSetup.SumSeconds);
        Console.WriteLine($"// engine-scale {_cluster}: seeding {_cluster.Seeding.TotalSeconds:0.0} s; term load {engine.LastLoad.TotalMilliseconds:0} ms; "
            + $"first commit (whole placement compared) {_firstCommit.TotalMilliseconds:0} ms; mean step after load {stepSeconds / Math.Max(1, steps) * 1000:0.000} ms over {steps}; "
            + $"last commit {engine.LastCommit.TotalMilliseconds:0.0} ms; last incremental apply {engine.LastIncremental.TotalMilliseconds:0.0} ms "
            + $"({engine.IncrementalChanges} changes); last rebuild {engine.LastRebuild.TotalMilliseconds:0} ms ({engine.Rebuilds}); "
            + $"longest gap between steps during the operations {_longestStepGap.TotalMilliseconds:0} ms; VM host documents written {engine.VmHostsWritten}; "
            + $"load average {LoadAverage.Read()}");
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public Task VmPriorityChange() =>
        ChangeAsync(ApiStore.VmsPrefix + BigCluster.VmId(_next++ % _cluster.VmCount), ApiJsonContext.Default.VmDocument, "vm.priority",
            static vm => vm with { Priority = (vm.Priority + 1) % 100 }, AppliedToTheCore);

    [Benchmark]
    public Task HostLabelChange() =>
        ChangeAsync(ApiStore.HostsPrefix + BigCluster.HostId(_next++ % _cluster.HostCount), ApiJsonContext.Default.HostDocument, "host.update",
            static host => host with { Rack = host.Rack + "x" }, AppliedToTheCore);

    [Benchmark]
    public Task HostMaintenanceDrain() =>
        ChangeAsync(ApiStore.HostsPrefix + BigCluster.HostId(_next++ % _cluster.HostCount), ApiJsonContext.Default.HostDocument, "host.maintenance-on",
            static host => host with { Maintenance = true }, () =>
            {
                var sent = _cluster.Outbox.Sent;
                var commit = _cluster.Engine.LastCommit;
                // The stop orders go out only after the step's commit: their count moving means the commit is done.
                return () => _cluster.Outbox.Sent > sent && _cluster.Engine.LastCommit != commit;
            });

    [Benchmark]
    public async Task FullRebuild()
    {
        var rebuilds = _cluster.Engine.Rebuilds;
        await _cluster.Store.AppendAuditAsync(_cluster.Leadership, Encoding.UTF8.GetBytes("{\"action\":\"vm.import\"}"), CancellationToken.None);
        await WatchAsync(() => _cluster.Engine.Rebuilds > rebuilds);
    }

    [Benchmark]
    public Task<string> MetricsInventoryFromEngine() =>
        MetricsEndpoints.RenderTextAsync(_services, _cluster.Api, new ApiRequestCounter(), CancellationToken.None);

    [Benchmark]
    public Task MetricsInventoryByListing() => MetricsEndpoints.ScanAsync(_cluster.Api, CancellationToken.None);

    /// <summary>
    /// One operator change through the API's own commit path (document and audit record), then waits until the engine
    /// has acted on it: <paramref name="arm"/> runs just before the commit and returns the condition that says so.
    /// </summary>
    private async Task ChangeAsync<T>(string key, JsonTypeInfo<T> type, string action, Func<T, T> change, Func<Func<bool>> arm)
        where T : class
    {
        var (document, version, raw) = await _cluster.Api.GetAsync(key, type, CancellationToken.None);
        var acted = arm();
        await _cluster.Api.CommitAsync(Operator, action, key, raw, JsonSerializer.SerializeToUtf8Bytes(change(document!), type), version, CancellationToken.None);
        await WatchAsync(acted);
    }

    private Func<bool> AppliedToTheCore()
    {
        var applied = _cluster.Engine.IncrementalChanges;
        return () => _cluster.Engine.IncrementalChanges > applied;
    }

    /// <summary>Waits for <paramref name="done"/>, noting the longest pause between two engine steps meanwhile.</summary>
    private async Task WatchAsync(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        var steps = _cluster.Engine.Steps;
        var lastStepAt = TimeSpan.Zero;
        while (!done())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the engine did not act within 5 minutes");
            }
            await Task.Delay(1);
            if (_cluster.Engine.Steps != steps)
            {
                steps = _cluster.Engine.Steps;
                var gap = clock.Elapsed - lastStepAt;
                _longestStepGap = gap > _longestStepGap ? gap : _longestStepGap;
                lastStepAt = clock.Elapsed;
            }
        }
    }

    private sealed class OneShotInProcess : ManualConfig
    {
        public OneShotInProcess() =>
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(1)
                .WithIterationCount(5)
                .WithToolchain(InProcessEmitToolchain.Instance));
    }
}
