using System.Diagnostics;
using HaAgent.Agent.DBus;
using HaAgent.Testing;
using HaAgent.Testing.DBus;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.DBus;

/// <summary>
/// The libvirtd.service watcher against a real dbus-daemon (private, per class) with a stand-in systemd speaking
/// org.freedesktop.systemd1: initial read, PropertiesChanged transitions, and every way the bus can be missing.
/// </summary>
public sealed class SystemdUnitWatcherTests(DBusDaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DBusDaemonFixture>
{
    private const string Unit = UnitWatch.Unit;
    private static readonly TimeSpan SignalBound = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartBound = UnitWatch.StartBound;

    [SkippableFact]
    public async Task Start_UnitActive_ReadsInitialStateAfterSubscribing()
    {
        var bus = fixture.Require();

        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => systemd.SetUnitState(Unit, "active", "running"));
        var first = watch.First;

        Assert.Equal(UnitActiveState.Active, first.ActiveState);
        Assert.Equal("running", first.SubState);
        Assert.Same(first, watch.Watcher.Current);
        Assert.True(watch.Systemd!.SubscribeCalls >= 1, "without Subscribe systemd emits no unit signals");
    }

    [SkippableFact]
    public async Task Changes_LibvirtdStopsFailsAndRestarts_EachTransitionFollowedWithinOneSecond()
    {
        var bus = fixture.Require();
        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => systemd.SetUnitState(Unit, "active", "running"));
        Assert.Equal(UnitActiveState.Active, watch.First.ActiveState);
        var systemd = watch.Systemd!;

        (string Active, string Sub, UnitActiveState Expected)[] transitions =
        [
            ("deactivating", "stop-sigterm", UnitActiveState.Deactivating),
            ("inactive", "dead", UnitActiveState.Inactive),
            ("activating", "start", UnitActiveState.Activating),
            ("active", "running", UnitActiveState.Active),
            ("failed", "failed", UnitActiveState.Failed),
            ("activating", "auto-restart", UnitActiveState.Activating),
            ("active", "running", UnitActiveState.Active),
        ];
        foreach (var (active, sub, expected) in transitions)
        {
            var sent = Stopwatch.GetTimestamp();
            systemd.SetUnitState(Unit, active, sub);
            var change = await watch.NextAsync(SignalBound);
            output.WriteLine($"{active}/{sub}: seen after {Stopwatch.GetElapsedTime(sent).TotalMilliseconds:F2} ms");
            Assert.Equal(expected, change.ActiveState);
            Assert.Equal(active, change.RawActiveState);
            Assert.Equal(sub, change.SubState);
            Assert.Null(change.UnavailableReason);
        }
    }

    [SkippableFact]
    public async Task Start_NoBusSocket_UnavailableWithoutExceptionAndReasonLoggedOnce()
    {
        Requires.Tools("dbus", "dbus-daemon");
        using var directory = new TempDirectory("nobus");

        await using var watch = await UnitWatch.StartAsync(PrivateDBusDaemon.NonexistentAddress(directory), systemd: null, TimeSpan.FromSeconds(2));
        var state = watch.First;
        output.WriteLine($"{state} after {watch.FirstAfter.TotalMilliseconds:F1} ms");

        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Contains("cannot connect to the bus", state.UnavailableReason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromMilliseconds(600)); // several retries (50 ms backoff, 200 ms cap)
        Assert.Single(watch.Logger.Entries, e => e.EventId == AgentEventIds.UnitWatchUnavailable);
        Assert.False(watch.Watcher.Changes.TryRead(out var again), $"retries must not republish the same state: {again}");
    }

    [SkippableFact]
    public async Task Start_SystemdNotOnBus_UnavailableThenFollowsSystemdWhenItAppears()
    {
        var bus = fixture.Require();

        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd: null);
        var state = watch.First;
        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Equal("org.freedesktop.systemd1 is not on the bus", state.UnavailableReason);

        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        var recovered = await watch.NextAsync(StartBound);
        Assert.Equal(UnitActiveState.Active, recovered.ActiveState);
    }

    [SkippableFact]
    public async Task Start_UnitUnknownToSystemd_Unavailable()
    {
        var bus = fixture.Require();

        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => { });
        var state = watch.First;

        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Equal($"systemd has no unit {Unit}", state.UnavailableReason);
    }

    [SkippableFact]
    public async Task Start_UnitNotLoaded_LoadsItAndReadsItsState()
    {
        var bus = fixture.Require();

        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => systemd.AddUnloadedUnit(Unit, "inactive", "dead"));
        var state = watch.First;

        Assert.Equal(UnitActiveState.Inactive, state.ActiveState);
        Assert.Equal("dead", state.SubState);
        watch.Systemd!.SetUnitState(Unit, "activating", "start");
        Assert.Equal(UnitActiveState.Activating, (await watch.NextAsync(SignalBound)).ActiveState);
    }

    [SkippableFact]
    public async Task Start_DefaultSystemBus_NeverThrowsAndIsUnavailableWithoutASocket()
    {
        Requires.Tools("dbus", "dbus-daemon");
        var watcher = new SystemdUnitWatcher(
            new SystemdUnitWatcherOptions { CallTimeout = TimeSpan.FromSeconds(1), RetryInitialDelay = TimeSpan.FromMilliseconds(50) },
            TimeProvider.System, new ListLogger<SystemdUnitWatcher>());
        var systemBusConfigured = Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is not null
            || File.Exists("/run/dbus/system_bus_socket") || File.Exists("/var/run/dbus/system_bus_socket");

        watcher.Start();
        var state = await UnitWatch.NextAsync(watcher, TimeSpan.FromSeconds(3));
        output.WriteLine($"system bus here: {systemBusConfigured}; {state}");
        var disposing = Stopwatch.GetTimestamp();
        await watcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(2));
        output.WriteLine($"disposed in {Stopwatch.GetElapsedTime(disposing).TotalMilliseconds:F1} ms");

        if (!systemBusConfigured)
        {
            Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
            Assert.Contains("cannot connect to the bus at system bus", state.UnavailableReason, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Watch_SystemdLeavesBus_UnavailableThenRereadsWhenItReturns()
    {
        var bus = fixture.Require();
        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => systemd.SetUnitState(Unit, "active", "running"));
        Assert.Equal(UnitActiveState.Active, watch.First.ActiveState);

        watch.Systemd!.Dispose();
        var gone = await watch.NextAsync(SignalBound);
        Assert.Equal(UnitActiveState.Unavailable, gone.ActiveState);
        Assert.Equal("org.freedesktop.systemd1 left the bus", gone.UnavailableReason);

        using var restarted = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        restarted.SetUnitState(Unit, "inactive", "dead");
        var back = await watch.NextAsync(StartBound);
        Assert.Equal(UnitActiveState.Inactive, back.ActiveState);
        Assert.Equal("dead", back.SubState);
    }

    [SkippableFact]
    public async Task Watch_BusDaemonKilled_UnavailableThenRecoversOnNewBusAtSameAddress()
    {
        using var bus = await PrivateDBusDaemon.StartAsync();
        await using var watch = await UnitWatch.StartAsync(bus.Address, systemd => systemd.SetUnitState(Unit, "active", "running"));
        Assert.Equal(UnitActiveState.Active, watch.First.ActiveState);

        var killed = Stopwatch.GetTimestamp();
        bus.Kill();
        watch.Systemd!.Dispose();
        var lost = await watch.NextAsync(StartBound); // the kill itself waits for the PID; the socket EOF is what is measured
        output.WriteLine($"bus killed: {lost} after {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:F1} ms");
        Assert.Equal(UnitActiveState.Unavailable, lost.ActiveState);

        await bus.RestartAsync();
        using var systemdAgain = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemdAgain.SetUnitState(Unit, "active", "running");
        var recovered = await watch.NextNotMatchingAsync(s => !s.IsAvailable, StartBound);
        Assert.Equal(UnitActiveState.Active, recovered.ActiveState);
        Assert.Equal("running", recovered.SubState);
    }

    [SkippableFact]
    public async Task Start_BusFrozen_UnavailableWithinCallTimeoutThenRecoversWhenThawed()
    {
        using var bus = await PrivateDBusDaemon.StartAsync();
        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        await bus.FreezeAsync();
        await using var watcher = UnitWatch.NewWatcher(bus.Address, out _, callTimeout: TimeSpan.FromMilliseconds(500));

        var started = Stopwatch.GetTimestamp();
        watcher.Start();
        var frozen = await UnitWatch.NextAsync(watcher, TimeSpan.FromSeconds(2));
        output.WriteLine($"frozen bus: {frozen} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
        Assert.Equal(UnitActiveState.Unavailable, frozen.ActiveState);
        Assert.Equal("no reply within 0.5 s", frozen.UnavailableReason);

        await bus.ThawAsync();
        var recovered = await UnitWatch.NextAsync(watcher, StartBound);
        Assert.Equal(UnitActiveState.Active, recovered.ActiveState);
    }
}
