using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using HaAgent.Agent.Vms;
using HaAgent.Benchmarks.Common;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// From virDomainDestroy until the agent's VM watcher publishes "Running => Stopped" on its change channel, with
/// <see cref="Vms"/> HA VMs in its table: libvirt event → callback → watcher loop → table → Channel. "in-process" is
/// test:///node.xml in the client library; "libvirtd" goes through a private session libvirtd (real RPC), as
/// qemu+unix:///system does. Target: P99 ≤ 50 ms.
/// </summary>
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 20, iterationCount: 300)]
public class VmWatcherChangeBenchmark
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private LibvirtTestNode _node = null!;
    private LibvirtSessionDaemon? _daemon;
    private VmWatcher _watcher = null!;
    private CancellationTokenSource _stop = null!;
    private Task _run = null!;
    private LibvirtDomain _domain = null!;

    [Params("in-process", "libvirtd")]
    public string Path { get; set; } = "in-process";

    [Params(50)]
    public int Vms { get; set; } = 50;

    [GlobalSetup]
    public void Setup()
    {
        _node = LibvirtTestNode.Create([.. Enumerable.Range(0, Vms).Select(i => new TestDomain($"ha-{i:D3}", Guid.NewGuid(), Running: true))]);
        if (Path == "libvirtd")
        {
            _daemon = LibvirtSessionDaemon.StartTestDriverAsync().GetAwaiter().GetResult();
        }
        var uri = _daemon is null ? _node.Uri : _daemon.TestNodeUri(_node);
        _watcher = new VmWatcher(new VmWatcherOptions(uri, "ha-", null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger<VmWatcher>.Instance);
        _stop = new CancellationTokenSource();
        _run = _watcher.RunAsync(_stop.Token);
        _watcher.Ready.Wait(TimeSpan.FromSeconds(20));
        while (_watcher.Changes.TryRead(out _))
        {
        }
        // The watcher's own connection: the test driver keeps one node per connection.
        _domain = _watcher.Connection!.LookupByName("ha-000");
    }

    [IterationSetup(Target = nameof(DestroyToChangePublished))]
    public void StartDomain()
    {
        if (_domain.GetState().State != DomainState.Running)
        {
            _domain.Create();
            WaitFor(VmStatus.Running).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Description = "destroy -> VmChange Stopped read")]
    public async Task<long> DestroyToChangePublished()
    {
        _domain.Destroy();
        return (await WaitFor(VmStatus.Stopped)).PublishedTimestamp;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _run.Wait(TimeSpan.FromSeconds(10));
        _domain.Dispose();
        _watcher.DisposeAsync().AsTask().Wait();
        _daemon?.Dispose();
        _node.Dispose();
        _stop.Dispose();
    }

    private async Task<VmChange> WaitFor(VmStatus status)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var change = await _watcher.Changes.ReadAsync(deadline.Token);
            if (change.Name == "ha-000" && change.Current == status)
            {
                return change;
            }
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }
}
