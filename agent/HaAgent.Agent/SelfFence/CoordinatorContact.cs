namespace HaAgent.Agent.SelfFence;

/// <summary>When the agent last heard from a coordinator. The protocol layer calls <see cref="Touch"/> on every accepted message.</summary>
internal sealed class CoordinatorContact
{
    private readonly TimeProvider _time;
    private long _lastTicks;
    private volatile bool _touched;

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

    public void Touch()
    {
        Interlocked.Exchange(ref _lastTicks, _time.GetUtcNow().UtcTicks);
        _touched = true;
    }
}
