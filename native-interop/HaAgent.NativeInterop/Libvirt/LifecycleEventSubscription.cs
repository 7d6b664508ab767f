using System.Threading.Channels;

namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// One reader of a connection's lifecycle events and the channel that feeds it. Events are queued from the moment
/// <see cref="LibvirtConnection.SubscribeLifecycleEvents"/> returns. The queue is bounded: when the reader falls
/// behind, the oldest events are dropped and counted in <see cref="DroppedCount"/> (the libvirt event loop must
/// never block, or keepalives stall); a reader that sees drops should re-list domains.
/// The reader completes when the subscription or its connection is disposed, or the connection closes.
/// </summary>
public sealed class LifecycleEventSubscription : IDisposable
{
    private readonly Channel<DomainLifecycleEvent> _channel;
    private readonly LibvirtConnection _connection;
    private long _dropped;

    internal LifecycleEventSubscription(LibvirtConnection connection, int capacity)
    {
        _connection = connection;
        _channel = Channel.CreateBounded<DomainLifecycleEvent>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleWriter = true,
                AllowSynchronousContinuations = false,
            },
            _ => Interlocked.Increment(ref _dropped));
    }

    public ChannelReader<DomainLifecycleEvent> Reader => _channel.Reader;

    /// <summary>Events dropped because the reader fell behind by more than the capacity.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    public IAsyncEnumerable<DomainLifecycleEvent> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Called on the libvirt event-loop thread: enqueue only.</summary>
    internal void Post(DomainLifecycleEvent lifecycleEvent) => _channel.Writer.TryWrite(lifecycleEvent);

    internal void Complete() => _channel.Writer.TryComplete();

    /// <summary>Deregisters the callback and completes the reader; events already queued can still be read.</summary>
    public void Dispose() => _connection.Unsubscribe(this);
}
