using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing.Libvirt;

namespace HaAgent.Benchmarks.Libvirt;

/// <summary>
/// How long from virDomainDestroy until the STOPPED event is read from the subscription's channel: the path
/// test driver queue → libvirt event-loop thread → [UnmanagedCallersOnly] callback → Channel → awaiting reader.
/// The test driver runs in-process, so this is the client library's share of event latency; a real libvirtd
/// adds its RPC hop. One operation per iteration (Monitoring): the domain must be restarted between them.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 20, iterationCount: 300)]
public class LifecycleEventBenchmark
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private LibvirtTestNode _node = null!;
    private LibvirtConnection _connection = null!;
    private LifecycleEventSubscription _events = null!;
    private LibvirtDomain _domain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _node = LibvirtTestNode.Create([new TestDomain("bench-1", Guid.NewGuid(), Running: true)]);
        _connection = LibvirtConnection.Open(_node.Uri);
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
