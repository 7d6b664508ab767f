namespace HaAgent.Agent.Vms;

/// <summary>
/// Dedicated threads for native calls that may block without bound (a QEMU monitor command waits as long as QEMU does
/// not answer). They are kept off the .NET thread pool on purpose: a pool thread stuck in native code starves the
/// heartbeat and every other timer until the pool injects more. At most <see cref="MaxThreads"/> threads exist; a
/// call that finds them all busy waits in a queue (callers that time a call start the clock inside it). Idle threads
/// exit after a while, so a host without QEMUs keeps none. A call must not throw.
/// </summary>
internal sealed class BlockingCallPool : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<Action> _pending = new();
    private readonly TimeSpan _idleExit;
    private readonly string _threadName;
    private int _threads;
    private int _idle;
    private bool _disposed;

    private readonly Action? _onThreadExit;

    /// <param name="onThreadExit">Runs on each pool thread as it exits (releases what the thread kept for itself).</param>
    public BlockingCallPool(int maxThreads, string threadName, TimeSpan idleExit, Action? onThreadExit = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        MaxThreads = maxThreads;
        _threadName = threadName;
        _idleExit = idleExit;
        _onThreadExit = onThreadExit;
    }

    public int MaxThreads { get; }

    /// <summary>Threads alive now (busy or idle).</summary>
    public int Threads
    {
        get
        {
            lock (_gate)
            {
                return _threads;
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> on a pool thread, now or once one frees; false once disposed.</summary>
    public bool TryRun(Action call)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }
            _pending.Enqueue(call);
            if (_idle >= _pending.Count)
            {
                Monitor.Pulse(_gate);
                return true;
            }
            if (_threads >= MaxThreads)
            {
                return true;
            }
            _threads++;
        }
        // Small stacks: these threads only sit in libvirt's RPC client.
        var thread = new Thread(Work, 256 * 1024) { IsBackground = true, Name = _threadName };
        thread.Start();
        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _pending.Clear();
            Monitor.PulseAll(_gate);
        }
    }

    private void Work()
    {
        try
        {
            WorkUntilIdle();
        }
        finally
        {
            _onThreadExit?.Invoke();
        }
    }

    private void WorkUntilIdle()
    {
        while (true)
        {
            Action call;
            lock (_gate)
            {
                while (_pending.Count == 0)
                {
                    if (_disposed)
                    {
                        _threads--;
                        return;
                    }
                    _idle++;
                    var woken = Monitor.Wait(_gate, _idleExit);
                    _idle--;
                    if (!woken && _pending.Count == 0)
                    {
                        _threads--;
                        return;
                    }
                }
                call = _pending.Dequeue();
            }
            call();
        }
    }
}
