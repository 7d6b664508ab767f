using System.Diagnostics;
using HaAgent.Agent.Restart;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>A hung libvirtd (SIGSTOPped private daemon) must end an order within its bound, typed, never as success.</summary>
public sealed class VmOrderBoundsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task StartAndStop_LibvirtdFrozen_UnreachableWithinOpenTimeout()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var harness = Harness(daemon, openTimeout: TimeSpan.FromSeconds(1));
        await daemon.FreezeAsync();
        try
        {
            var (start, startTook, stop, stopTook) = await StartThenStopAsync(harness);

            Assert.Equal(VmOrderFailureKind.Unreachable, start.Failure?.Kind);
            Assert.Equal(VmOrderFailureKind.Unreachable, stop.Failure?.Kind);
            Assert.True(startTook < TimeSpan.FromSeconds(3), $"start took {startTook}");
            Assert.True(stopTook < TimeSpan.FromSeconds(3), $"stop took {stopTook}");
            Assert.Null(harness.Journal.Find("c1"));
        }
        finally
        {
            await daemon.ThawAsync();
        }
    }

    [SkippableFact]
    public async Task StartAndStop_LibvirtdFreezesAfterConnect_TimeoutWithinStepBound()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var harness = Harness(daemon, openTimeout: TimeSpan.FromSeconds(5));
        harness.AfterConnect = daemon.FreezeAsync;
        try
        {
            // Thawed between the orders: the stop's own connect freezes it again.
            var (start, startTook, stop, stopTook) = await StartThenStopAsync(harness, between: daemon.ThawAsync);

            Assert.Equal(VmOrderFailureKind.Timeout, start.Failure?.Kind);
            Assert.Equal(VmOrderFailureKind.Timeout, stop.Failure?.Kind);
            Assert.True(startTook < TimeSpan.FromSeconds(5), $"start took {startTook}");
            Assert.True(stopTook < TimeSpan.FromSeconds(5), $"stop took {stopTook}");
        }
        finally
        {
            await daemon.ThawAsync();
        }
    }

    /// <summary>The executors on the daemon's test driver with 1 s step, confirm and kill bounds.</summary>
    private static RestartHarness Harness(LibvirtSessionDaemon daemon, TimeSpan openTimeout) =>
        new(daemon.TestDefaultUri, new VmOrderSettings("ha-", null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), openTimeout);

    /// <summary>Orders a fresh VM started (command c1), runs <paramref name="between"/>, orders it stopped; each order timed.</summary>
    private async Task<(StartReport Start, TimeSpan StartTook, StopReport Stop, TimeSpan StopTook)> StartThenStopAsync(RestartHarness harness, Func<Task>? between = null)
    {
        var name = $"ha-{Guid.NewGuid():N}"[..11];
        var uuid = Guid.NewGuid();
        var stopwatch = Stopwatch.StartNew();
        var start = await harness.Starter.ExecuteAsync(new StartCommand("c1", 1, name, uuid, TestDriverVms.Xml(name, uuid, "/img/a.qcow2"), ["/img/a.qcow2"]));
        var startTook = stopwatch.Elapsed;
        if (between is not null)
        {
            await between();
        }
        stopwatch.Restart();
        var stop = await harness.Stopper.ExecuteAsync(new StopCommand("s1", 1, name, uuid));
        var stopTook = stopwatch.Elapsed;
        output.WriteLine($"start: {start.Failure} after {startTook.TotalMilliseconds:F0} ms; stop: {stop.Failure} after {stopTook.TotalMilliseconds:F0} ms");
        return (start, startTook, stop, stopTook);
    }
}
