using HaAgent.Agent.Heartbeat;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Agent.Tests.Heartbeat;

/// <summary>
/// The storage and network heartbeats share one timer: each must still behave as if it had its own — a stuck one
/// never holds the other back, missed ticks fold into one run, a failure is reported and the next tick runs again.
/// </summary>
public sealed class SharedTickTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task Run_OneActivityStuck_TheOtherKeepsItsTickAndTheStuckOneRunsOnceMoreWhenFreed()
    {
        var fast = new Counter();
        var slow = new Counter();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var tick = new SharedTick(Period, _clock,
        [
            _ => { fast.Add(); return Task.CompletedTask; },
            async _ => { if (slow.Add() == 1) { await release.Task; } },
        ], (_, e) => throw e);

        var running = tick.RunAsync(stop.Token);
        await fast.AtLeastAsync(1);
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(Period);
            await fast.AtLeastAsync(2 + i);
        }
        Assert.Equal(6, fast.Count); // the first tick at once, then one per period, while the other was stuck
        Assert.Equal(1, slow.Count); // not started again while still running

        release.SetResult();
        await slow.AtLeastAsync(2); // the ticks it missed fold into one run, at once
        await Task.Delay(100);
        Assert.Equal(2, slow.Count);
        _clock.Advance(Period);
        await slow.AtLeastAsync(3);
        await fast.AtLeastAsync(7);

        await stop.CancelAsync();
        await running.WaitAsync(Wait);
    }

    [Fact]
    public async Task Run_ActivityThrows_ReportedAndRunAgainAtTheNextTick()
    {
        var runs = new Counter();
        var failures = new List<(int Index, string Message)>();
        using var stop = new CancellationTokenSource();
        var tick = new SharedTick(Period, _clock,
        [
            _ => Task.CompletedTask,
            _ => runs.Add() == 1 ? throw new InvalidOperationException("first run fails") : Task.CompletedTask,
        ], (index, e) => { lock (failures) { failures.Add((index, e.Message)); } });

        var running = tick.RunAsync(stop.Token);
        await runs.AtLeastAsync(1);
        _clock.Advance(Period);
        await runs.AtLeastAsync(2);

        lock (failures)
        {
            Assert.Equal([(1, "first run fails")], failures);
        }
        await stop.CancelAsync();
        await running.WaitAsync(Wait);
    }

    [Fact]
    public async Task Run_Cancelled_WaitsForTheActivityStillRunning()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        using var stop = new CancellationTokenSource();
        var tick = new SharedTick(Period, _clock,
        [
            async token =>
            {
                started.SetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    finished = true;
                }
            },
        ], (_, e) => throw e);

        var running = tick.RunAsync(stop.Token);
        await started.Task.WaitAsync(Wait);
        await stop.CancelAsync();
        await running.WaitAsync(Wait);
        Assert.True(finished);
    }

    /// <summary>Counts runs; waits (bounded) until a count is reached.</summary>
    private sealed class Counter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public int Add() => Interlocked.Increment(ref _count);

        public async Task AtLeastAsync(int count)
        {
            var until = DateTime.UtcNow + Wait;
            while (Count < count)
            {
                Assert.True(DateTime.UtcNow < until, $"{Count} runs, expected {count}");
                await Task.Delay(5);
            }
        }
    }
}
