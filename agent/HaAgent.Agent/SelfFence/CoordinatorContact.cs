namespace HaAgent.Agent.SelfFence;

/// <summary>When the agent last heard from a coordinator. The protocol layer calls <see cref="Touch"/> on every accepted message.</summary>
internal sealed class CoordinatorContact
{
    private readonly TimeProvider _time;
    private long _lastTicks;
    private volatile bool _touched;
    private TaskCompletionSource? _nextTouch;

    public CoordinatorContact(TimeProvider time)
    {
        _time = time;
        // Starting up counts as contact: a fresh agent gets one full timeout to reach a coordinator.
        _lastTicks = time.GetUtcNow().UtcTicks;
    }

    public DateTimeOffset LastContact => new(Interlocked.Read(ref _lastTicks), TimeSpan.Zero);

    public TimeSpan SinceLastContact => _time.GetUtcNow() - LastContact;

    /// <summary>True once a coordinator was really heard (the startup grace is not contact).</summary>
    public bool TouchedSinceStart => _touched;

    /// <summary>
    /// Completes at the first <see cref="Touch"/> after this call. Only the self-fence monitor waits on it, and only
    /// while it is out of contact (self-fenced): a healthy link touches every heartbeat and pays nothing for it.
    /// </summary>
    public Task NextTouch()
    {
        var waiting = Volatile.Read(ref _nextTouch);
        if (waiting is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting = Interlocked.CompareExchange(ref _nextTouch, fresh, null) ?? fresh;
        }
        return waiting.Task;
    }

    public void Touch()
    {
        Interlocked.Exchange(ref _lastTicks, _time.GetUtcNow().UtcTicks);
        _touched = true;
        if (Volatile.Read(ref _nextTouch) is not null)
        {
            Interlocked.Exchange(ref _nextTouch, null)?.TrySetResult();
        }
    }
}
