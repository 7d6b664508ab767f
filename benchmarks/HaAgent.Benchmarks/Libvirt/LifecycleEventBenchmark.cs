using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Benchmarks.Libvirt;

/// <summary>
/// How long from virDomainDestroy until the STOPPED event is read from the subscription's channel: the path
/// test driver queue → libvirt event-loop thread → [UnmanagedCallersOnly] callback → Channel → awaiting reader.
/// <see cref="Path"/> "in-process" opens test:///node.xml (the client library's share of the latency);
/// "libvirtd" reaches the same node through a private session libvirtd over a unix socket (adds the RPC and
/// the daemon's event dispatch, as for qemu+unix:///system).
/// One operation per iteration (Monitoring): the domain must be restarted between them.
/// </summary>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn, Q3Column]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 20, iterationCount: 300)]
public class LifecycleEventBenchmark
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private LibvirtTestNode _node = null!;
    private LibvirtSessionDaemon? _daemon;
    private LibvirtConnection _connection = null!;
    private LifecycleEventSubscription _events = null!;
    private LibvirtDomain _domain = null!;

    [Params("in-process", "libvirtd")]
    public string Path { get; set; } = "in-process";

    [GlobalSetup]
    public void Setup()
    {
        _node = LibvirtTestNode.Create([new TestDomain("bench-1", Guid.NewGuid(), Running: true)]);
        if (Path == "libvirtd")
        {
            _daemon = LibvirtSessionDaemon.StartTestDriverAsync().GetAwaiter().GetResult();
        }
        _connection = LibvirtConnection.Open(_daemon is null ? _node.Uri : _daemon.TestNodeUri(_node));
        _events = _connection.SubscribeLifecycleEvents();
        _domain = _connection.LookupByName("bench-1");
    }

    [IterationSetup(Target = nameof(DestroyToStoppedEvent))]
    public void StartDomain()
    {
        if (_domain.GetState().State != DomainState.Running)
        {
            _domain.Create();
            WaitFor(DomainEventType.Started).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Description = "destroy -> STOPPED read from channel")]
    public Task<DomainLifecycleEvent> DestroyToStoppedEvent()
    {
        _domain.Destroy();
        return WaitFor(DomainEventType.Stopped);
    }

    [Benchmark(Description = "destroy -> STOPPED, create -> STARTED")]
    public async Task<DomainLifecycleEvent> StopStartCycle()
    {
        _domain.Destroy();
        await WaitFor(DomainEventType.Stopped).ConfigureAwait(false);
        _domain.Create();
        return await WaitFor(DomainEventType.Started).ConfigureAwait(false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _domain.Dispose();
        _events.Dispose();
        _connection.Dispose();
        _daemon?.Dispose();
        _node.Dispose();
    }

    private async Task<DomainLifecycleEvent> WaitFor(DomainEventType type)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            var lifecycleEvent = await _events.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (lifecycleEvent.Type == type)
            {
                return lifecycleEvent;
            }
        }
    }
}
