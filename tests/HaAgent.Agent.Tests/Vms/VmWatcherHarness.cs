using System.Diagnostics;
using HaAgent.Agent.Vms;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>A running watcher for one test; disposing cancels it and waits (bounded) for it to stop.</summary>
internal sealed class VmWatcherHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly ITestOutputHelper? _output;

    private VmWatcherHarness(VmWatcher watcher, ITestOutputHelper? output)
    {
        Watcher = watcher;
        _output = output;
        _run = watcher.RunAsync(_stop.Token);
    }

    public VmWatcher Watcher { get; }

    public static async Task<VmWatcherHarness> StartAsync(
        string uri, string prefix = "", string? pidDirectory = null, ITestOutputHelper? output = null, Func<VmWatcherOptions, VmWatcherOptions>? configure = null)
    {
        var options = new VmWatcherOptions(uri, prefix, pidDirectory, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100));
        var watcher = new VmWatcher(
            configure?.Invoke(options) ?? options,
            TimeProvider.System,
            output is null ? NullLogger<VmWatcher>.Instance : new TestOutputLogger<VmWatcher>(output));
        var harness = new VmWatcherHarness(watcher, output);
        await watcher.Ready.WaitAsync(TimeSpan.FromSeconds(20));
        return harness;
    }

    /// <summary>Reads changes until one matches; fails after <paramref name="within"/>.</summary>
    public async Task<VmChange> WaitForAsync(Func<VmChange, bool> match, TimeSpan within)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                var change = await Watcher.Changes.ReadAsync(deadline.Token);
                _output?.WriteLine($"+{Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms {change.Name}: {change.Previous} => {change.Current} ({change.Source}: {change.Reason})");
                if (match(change))
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no matching VM change within {within}");
        }
    }

    /// <summary>Waits (10 s) until <paramref name="name"/> is reported running with its QEMU's pid; returns the pid.</summary>
    public async Task<int> WaitRunningAsync(string name) =>
        (await WaitForAsync(c => c.Name == name && c.Current == VmStatus.Running && c.QemuPid is not null, TimeSpan.FromSeconds(10))).QemuPid!.Value;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            await Watcher.DisposeAsync();
            _stop.Dispose();
        }
    }
}
