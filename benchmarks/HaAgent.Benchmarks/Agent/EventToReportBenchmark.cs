using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Mathematics.OutlierDetection;
using HaAgent.Agent;
using HaAgent.Benchmarks.Common;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Hosting;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// A domain state change in libvirt to the VM report leaving the agent, end to end: virDomainDestroy through a
/// private session libvirtd (test driver, <see cref="Vms"/> running HA domains) → lifecycle event → the agent's VM
/// watcher → report loop (coalescing, codec, HMAC) → HTTP POST → the coordinator's real agent endpoint on Kestrel at
/// 127.0.0.1 (<see cref="LoopbackCoordinator"/>), which has decoded and verified it when the time is taken. The whole
/// agent host is built from agent.json as the daemon builds it (in this process, JIT; no Ceph). Target: p99 ≤ 50 ms.
/// The iteration setup starts the domain again (and waits for its Running report), so each iteration is one change.
/// <c>dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*EventToReport*'</c>
/// </summary>
[Config(typeof(Config))]
public class EventToReportBenchmark
{
    private const string HostId = "bench-host";
    private const string Watched = "ha-000";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private LibvirtSessionDaemon _daemon = null!;
    private LibvirtConnection _control = null!;
    private LibvirtDomain _domain = null!;
    private LoopbackCoordinator _coordinator = null!;
    private TempDirectory _directory = null!;
    private Microsoft.Extensions.Hosting.IHost _agent = null!;
    private TaskCompletionSource<long>? _waiting;
    private VmRunState _expected;
    private long _changedAt;
    private long _reportsBefore;
    private readonly List<(double Total, double InAgent)> _split = [];

    [Params(50)]
    public int Vms { get; set; } = 50;

    /// <summary>coordinator:reportCoalesce of the agent (the wait that folds a burst of changes into one report).</summary>
    [Params("00:00:00.050", "00:00:00")]
    public string ReportCoalesce { get; set; } = "00:00:00";

    /// <summary>intervals:reconcile: how often the watcher re-lists every domain (51 libvirt calls with 50 VMs).</summary>
    [Params("00:00:05")]
    public string Reconcile { get; set; } = "00:00:05";

    [GlobalSetup]
    public void Setup()
    {
        _daemon = LibvirtSessionDaemon.StartTestDriverAsync().GetAwaiter().GetResult();
        // test:///default lives in the daemon while a connection holds it: this one, until cleanup.
        _control = LibvirtConnection.Open(_daemon.TestDefaultUri);
        for (var i = 0; i < Vms; i++)
        {
            using var domain = _control.DefineXml(LibvirtTestNode.DomainXml($"ha-{i:D3}", Guid.NewGuid()));
            domain.Create();
        }
        _domain = _control.LookupByName(Watched);
        _coordinator = LoopbackCoordinator.StartAsync(HostId).GetAwaiter().GetResult();
        _coordinator.Messages.OnVmReport = OnReport;
        _directory = new TempDirectory("event-to-report");
        var config = _directory.File("agent.json");
        File.WriteAllText(config, $$"""
            {
              "hostId": "{{HostId}}",
              "coordinatorEndpoints": [ "{{_coordinator.Endpoint}}" ],
              "coordinator": { "secretFile": "{{_coordinator.SecretFile}}", "reportCoalesce": "{{ReportCoalesce}}" },
              "stateFile": "{{_directory.File("state.json")}}",
              "libvirt": { "uri": "{{_daemon.TestDefaultUri}}", "managedDomainPrefix": "ha-" },
              "intervals": { "heartbeat": "00:00:01", "selfFenceTimeout": "00:30:00", "reconcile": "{{Reconcile}}" },
              "watchdog": { "kind": "none" }
            }
            """);
        _agent = AgentHost.CreateBuilder(["--config", config]).Build();
        _agent.StartAsync().GetAwaiter().GetResult();
        WaitFor(VmRunState.Running, () => { }).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void StartDomain()
    {
        NoteSplit();
        if (_domain.GetState().State != DomainState.Running)
        {
            WaitFor(VmRunState.Running, _domain.Create).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Description = "destroy -> VM report accepted by the coordinator endpoint")]
    public async Task<long> DestroyToReport()
    {
        _reportsBefore = Link.ReportsDelivered;
        _changedAt = Stopwatch.GetTimestamp();
        return await WaitFor(VmRunState.Stopped, _domain.Destroy);
    }

    private AgentLinkAccess Link => new(_agent);

    /// <summary>
    /// Splits the last iteration (outside the measurement): the agent's own share is from the watcher's input (the
    /// event callback) to the report's ack (<see cref="HaAgent.Agent.Link.AgentLink.LastChangeToReport"/>); the rest
    /// is libvirt (the destroy call and the event reaching this process).
    /// </summary>
    private void NoteSplit()
    {
        if (_changedAt == 0)
        {
            return;
        }
        var deadline = Stopwatch.StartNew();
        while (Link.ReportsDelivered == _reportsBefore && deadline.Elapsed < TimeSpan.FromSeconds(1))
        {
            Thread.Sleep(1);
        }
        var total = Stopwatch.GetElapsedTime(_changedAt, Volatile.Read(ref _lastAccepted)).TotalMilliseconds;
        _split.Add((total, Link.LastChangeToReport?.TotalMilliseconds ?? double.NaN));
        _changedAt = 0;
    }

    private long _lastAccepted;

    private readonly struct AgentLinkAccess(Microsoft.Extensions.Hosting.IHost host)
    {
        private HaAgent.Agent.Link.AgentLink Link => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<HaAgent.Agent.Link.AgentLink>(host.Services);

        public long ReportsDelivered => Link.ReportsDelivered;

        public TimeSpan? LastChangeToReport => Link.LastChangeToReport;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        NoteSplit();
        if (_split.Count > 0)
        {
            var slow = _split.OrderByDescending(s => s.Total).Take(Math.Max(1, _split.Count / 20)).ToArray();
            Console.WriteLine($"// slowest 5 % of {_split.Count} changes (ms, total / in the agent: event input -> report acked): " +
                string.Join(", ", slow.Select(s => $"{s.Total:F1}/{s.InAgent:F1}")));
            var sorted = _split.Select(s => s.Total - s.InAgent).Where(d => !double.IsNaN(d)).Order().ToArray();
            Console.WriteLine($"// outside the agent (destroy call + event delivery), ms: median {sorted[sorted.Length / 2]:F2}, p99 {sorted[(int)(sorted.Length * 0.99)]:F2}");
        }
        _agent.StopAsync().GetAwaiter().GetResult();
        _agent.Dispose();
        _coordinator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _domain.Dispose();
        _control.Dispose();
        _daemon.Dispose();
        _directory.Dispose();
        Console.WriteLine($"// load average {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private void OnReport(VmReportMessage report, long acceptedAt)
    {
        var waiting = Volatile.Read(ref _waiting);
        if (waiting is not null && report.Vms.Any(v => v.VmId == Watched && v.State == _expected))
        {
            Volatile.Write(ref _lastAccepted, acceptedAt);
            waiting.TrySetResult(acceptedAt);
        }
    }

    /// <summary>Does <paramref name="change"/> and waits for the first report that shows <see cref="Watched"/> in <paramref name="state"/>.</summary>
    private async Task<long> WaitFor(VmRunState state, Action change)
    {
        var waiting = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _expected = state;
        Volatile.Write(ref _waiting, waiting);
        change();
        try
        {
            return await waiting.Task.WaitAsync(Deadline);
        }
        finally
        {
            Volatile.Write(ref _waiting, null);
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In this process (the agent host is built here anyway), every iteration kept: p99 is about the outliers.
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(10).WithIterationCount(300)
                .WithToolchain(InProcessEmitToolchain.Instance).WithOutlierMode(OutlierMode.DontRemove));
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }
}
