namespace HaAgent.Agent.Heartbeat;

/// <summary>
/// Several periodic activities on one timer: one wake-up per period instead of one per activity (the storage and the
/// network heartbeat share it). Each activity still behaves as if it had a PeriodicTimer of its own: none waits for
/// another, one still running at a tick is not started twice but runs once more as soon as it ends (missed ticks fold
/// into one, as PeriodicTimer's do), and one that throws is reported and runs again at the next tick.
/// </summary>
internal sealed class SharedTick
{
    private const int Idle = 0;
    private const int Running = 1;
    private const int RunningAndDue = 2;

    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly Func<CancellationToken, Task>[] _activities;
    private readonly Action<int, Exception> _failed;
    private readonly int[] _states;

    /// <param name="period">The tick.</param>
    /// <param name="time">Clock of the timer.</param>
    /// <param name="activities">Started at every tick, in this order, each on the tick's thread until its first await.</param>
    /// <param name="failed">Told which activity threw what (by index); the tick goes on.</param>
    public SharedTick(TimeSpan period, TimeProvider time, IReadOnlyList<Func<CancellationToken, Task>> activities, Action<int, Exception> failed)
    {
        _period = period;
        _time = time;
        _activities = [.. activities];
        _failed = failed;
        _states = new int[_activities.Length];
    }

    /// <summary>Ticks until cancelled (the first tick at once), then waits for the activities still running.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var running = new Task[_activities.Length];
        Array.Fill(running, Task.CompletedTask);
        using (var timer = new PeriodicTimer(_period, _time))
        {
            try
            {
                do
                {
                    for (var i = 0; i < _activities.Length; i++)
                    {
                        if (Interlocked.CompareExchange(ref _states[i], Running, Idle) == Idle)
                        {
                            running[i] = RunAsync(i, cancellationToken);
                        }
                        else
                        {
                            Interlocked.CompareExchange(ref _states[i], RunningAndDue, Running);
                        }
                    }
                }
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
            }
        }
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunAsync(int index, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _activities[index](cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _states[index], Idle);
                return;
            }
            catch (Exception e)
            {
                _failed(index, e);
            }
            if (Interlocked.CompareExchange(ref _states[index], Idle, Running) == Running || cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _states[index], Idle);
                return;
            }
            // A tick came while this run was still going: run again now, as a PeriodicTimer's caller would.
            Volatile.Write(ref _states[index], Running);
        }
    }
}
