using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Tests.Vms;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Agent.Tests.SelfFence;

/// <summary>The coordinator-silence clock on a fake clock; the VMs are libvirt test-driver domains (real events, no QEMU).</summary>
public sealed class SelfFenceMonitorTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("agent-monitor");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task CheckOnce_SilenceBeyondTimeout_DestroysHaVmsOnceKeepsKickingAndReportsOnReturn()
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        using var node = LibvirtTestNode.Create([new("ha-a", Guid.NewGuid(), true), new("ha-b", Guid.NewGuid(), true), new("other", Guid.NewGuid(), true)]);
        await using var harness = await VmWatcherHarness.StartAsync(node.Uri, "ha-");
        var (monitor, contact, state, watchdogFile) = Build(harness.Watcher);

        await monitor.CheckOnceAsync(CancellationToken.None);
        _clock.Advance(Timeout - TimeSpan.FromSeconds(1));
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.False(monitor.IsSelfFenced);
        Assert.Equal(2, Kicks(watchdogFile));

        _clock.Advance(TimeSpan.FromSeconds(2));
        await monitor.CheckOnceAsync(CancellationToken.None);

        Assert.True(monitor.IsSelfFenced);
        var record = Assert.Single(state.Current.PendingSelfFences);
        Assert.Equal(["ha-a", "ha-b"], record.StoppedVms.Order());
        Assert.Empty(record.Failed);
        var connection = harness.Watcher.Connection!;
        foreach (var name in new[] { "ha-a", "ha-b" })
        {
            using var domain = connection.LookupByName(name);
            Assert.Equal(DomainState.ShutOff, domain.GetState().State);
        }
        using (var other = connection.LookupByName("other"))
        {
            Assert.Equal(DomainState.Running, other.GetState().State);
        }
        _clock.Advance(TimeSpan.FromSeconds(10));
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Single(state.Current.PendingSelfFences); // once per outage
        Assert.Equal(3, Kicks(watchdogFile)); // every VM proven dead: kicks go on, the host need not reset

        contact.Touch();
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.False(monitor.IsSelfFenced);
        Assert.Single(monitor.PendingReports);
    }

    [Fact]
    public async Task CheckOnce_VmTableNeverKnown_SelfFenceFailsAndKicksStop()
    {
        // A watcher that never reached libvirt: its empty table proves nothing.
        await using var watcher = new VmWatcher(
            new VmWatcherOptions("test:///nowhere", "", null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger<VmWatcher>.Instance);
        var (monitor, _, state, watchdogFile) = Build(watcher);
        await monitor.CheckOnceAsync(CancellationToken.None);

        _clock.Advance(Timeout + TimeSpan.FromSeconds(1));
        await monitor.CheckOnceAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await monitor.CheckOnceAsync(CancellationToken.None);

        Assert.NotEmpty(Assert.Single(state.Current.PendingSelfFences).Failed);
        Assert.Equal(1, Kicks(watchdogFile));
    }

    [Fact]
    public async Task NextCheckIn_NoWatchdog_SleepsUntilTheSelfFenceDeadlineNotATick()
    {
        await using var watcher = NowhereWatcher();
        var state = new AgentStateStore(_directory.File($"state-{Guid.NewGuid():N}.json"));
        var contact = new CoordinatorContact(_clock);
        var monitor = new SelfFenceMonitor(contact, new SelfFencer(watcher, state, 1, TimeSpan.FromSeconds(2), TimeProvider.System, NullLogger<SelfFencer>.Instance),
            null, state, Timeout, TimeSpan.FromSeconds(5), _clock, NullLogger<SelfFenceMonitor>.Instance);

        await monitor.CheckOnceAsync(CancellationToken.None);
        AssertNear(Timeout, monitor.NextCheckIn());
        _clock.Advance(TimeSpan.FromSeconds(12));
        AssertNear(Timeout - TimeSpan.FromSeconds(12), monitor.NextCheckIn());
        // Every heartbeat ack moves the deadline on: a healthy agent wakes about once per timeout, not once a second.
        contact.Touch();
        AssertNear(Timeout, monitor.NextCheckIn());
    }

    [Fact]
    public async Task NextCheckIn_Watchdog_WakesForTheNextKick()
    {
        await using var watcher = NowhereWatcher();
        var (monitor, contact, _, watchdogFile) = Build(watcher);

        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(1, Kicks(watchdogFile));
        AssertNear(TimeSpan.FromSeconds(5), monitor.NextCheckIn());
        _clock.Advance(TimeSpan.FromSeconds(5));
        contact.Touch();
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(2, Kicks(watchdogFile));
        AssertNear(TimeSpan.FromSeconds(5), monitor.NextCheckIn());
    }

    [Fact]
    public async Task Run_FailedSelfFenceStoppedTheKicks_ContactBackResumesThemAtOnce()
    {
        // The watcher never reached libvirt: the self-fence cannot prove anything dead, so the kicks stop (the host
        // would reset at the watchdog's timeout). Contact coming back must be acted on at once, not at the next check.
        await using var watcher = NowhereWatcher();
        var (monitor, contact, state, watchdogFile) = Build(watcher);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => monitor.RunAsync(stop.Token), CancellationToken.None);
        await WaitUntilAsync(() => Kicks(watchdogFile) == 1, "first kick");

        // Fake time in 1 s steps (the monitor arms its next timer between two steps): silent until the self-fence.
        await AdvanceUntilAsync(() => state.Current.PendingSelfFences.Count == 1, "self-fence");
        Assert.NotEmpty(state.Current.PendingSelfFences[0].Failed);
        var kicks = Kicks(watchdogFile);
        await AdvanceUntilAsync(() => false, "nothing", TimeSpan.FromSeconds(10));
        Assert.Equal(kicks, Kicks(watchdogFile));

        contact.Touch(); // no clock advance: only the contact can wake the monitor now
        await WaitUntilAsync(() => Kicks(watchdogFile) == kicks + 1, "kick after contact");
        Assert.False(monitor.IsSelfFenced);

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static VmWatcher NowhereWatcher() => new(
        new VmWatcherOptions("test:///nowhere", "", null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
        TimeProvider.System, NullLogger<VmWatcher>.Instance);

    /// <summary>The wait to the next due thing, plus the monitor's few milliseconds of slack.</summary>
    private static void AssertNear(TimeSpan expected, TimeSpan actual) =>
        Assert.InRange(actual, expected, expected + TimeSpan.FromMilliseconds(50));

    /// <summary>Advances the fake clock 1 s at a time, 20 ms of real time apart, until the condition holds or <paramref name="limit"/> passed.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        for (var advanced = TimeSpan.Zero; advanced < (limit ?? Timeout * 2); advanced += TimeSpan.FromSeconds(1))
        {
            if (condition())
            {
                return;
            }
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        Assert.True(limit is not null || condition(), $"no {what} within {limit ?? Timeout * 2} of fake time");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"no {what} within 10 s");
            await Task.Delay(10);
        }
    }

    private (SelfFenceMonitor, CoordinatorContact, AgentStateStore, string) Build(VmWatcher watcher)
    {
        var state = new AgentStateStore(_directory.File($"state-{Guid.NewGuid():N}.json"));
        var contact = new CoordinatorContact(_clock);
        var watchdogFile = _directory.File($"watchdog-{Guid.NewGuid():N}");
        var fencer = new SelfFencer(watcher, state, 1, TimeSpan.FromSeconds(2), TimeProvider.System, NullLogger<SelfFencer>.Instance);
        var monitor = new SelfFenceMonitor(contact, fencer, new FileWatchdog(watchdogFile, _clock), state, Timeout, TimeSpan.FromSeconds(5), _clock,
            NullLogger<SelfFenceMonitor>.Instance);
        return (monitor, contact, state, watchdogFile);
    }

    private static int Kicks(string file) => File.ReadAllLines(file).Count(l => l.StartsWith("kick ", StringComparison.Ordinal));
}
