namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// The target of a connection's single native lifecycle callback. libvirt refuses to register the same callback
/// function twice on one connection ("event callback already tracked"), so one registration fans out to every
/// managed subscription. The array is replaced, never mutated, so the event-loop thread reads it without a lock.
/// </summary>
internal sealed class LifecycleEventDispatcher
{
    private LifecycleEventSubscription[] _subscriptions = [];

    internal LifecycleEventSubscription[] Subscriptions
    {
        get => Volatile.Read(ref _subscriptions);
        set => Volatile.Write(ref _subscriptions, value);
    }

    /// <summary>Called on the libvirt event-loop thread: enqueue only.</summary>
    internal void Post(DomainLifecycleEvent lifecycleEvent)
    {
        foreach (var subscription in Subscriptions)
        {
            subscription.Post(lifecycleEvent);
        }
    }
}
