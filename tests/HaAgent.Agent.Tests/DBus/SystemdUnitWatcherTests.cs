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
    private const string Unit = "libvirtd.service";
    private static readonly TimeSpan SignalBound = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(5);

    [SkippableFact]
    public async Task Start_UnitActive_ReadsInitialStateAfterSubscribing()
    {
        var bus = fixture.Require();
        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        await using var watcher = NewWatcher(bus.Address, out _);

        watcher.Start();
        var first = await NextAsync(watcher, StartBound);


        Assert.Equal(UnitActiveState.Active, first.ActiveState);
        Assert.Equal("running", first.SubState);
        Assert.Same(first, watcher.Current);
        Assert.True(systemd.SubscribeCalls >= 1, "without Subscribe systemd emits no unit signals");
    }

    [SkippableFact]
    public async Task Changes_LibvirtdStopsFailsAndRestarts_EachTransitionFollowedWithinOneSecond()
    {
        var bus = fixture.Require();
        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        await using var watcher = NewWatcher(bus.Address, out _);
        watcher.Start();
        Assert.Equal(UnitActiveState.Active, (await NextAsync(watcher, StartBound)).ActiveState);

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
            var change = await NextAsync(watcher, SignalBound);
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
        await using var watcher = NewWatcher(PrivateDBusDaemon.NonexistentAddress(directory), out var logger);

        var started = Stopwatch.GetTimestamp();
        watcher.Start();
        var state = await NextAsync(watcher, TimeSpan.FromSeconds(2));
        output.WriteLine($"{state} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");

        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Contains("cannot connect to the bus", state.UnavailableReason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromMilliseconds(600)); // several retries (50 ms backoff, 200 ms cap)
        Assert.Single(logger.Entries, e => e.EventId == AgentEventIds.UnitWatchUnavailable);
        Assert.False(watcher.Changes.TryRead(out var again), $"retries must not republish the same state: {again}");
    }

    [SkippableFact]
    public async Task Start_SystemdNotOnBus_UnavailableThenFollowsSystemdWhenItAppears()
    {
        var bus = fixture.Require();
        await using var watcher = NewWatcher(bus.Address, out _);

        watcher.Start();
        var state = await NextAsync(watcher, StartBound);
        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Equal("org.freedesktop.systemd1 is not on the bus", state.UnavailableReason);

        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        var recovered = await NextAsync(watcher, StartBound);
        Assert.Equal(UnitActiveState.Active, recovered.ActiveState);
    }

    [SkippableFact]
    public async Task Start_UnitUnknownToSystemd_Unavailable()
    {
        var bus = fixture.Require();
        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        await using var watcher = NewWatcher(bus.Address, out _);

        watcher.Start();
        var state = await NextAsync(watcher, StartBound);

        Assert.Equal(UnitActiveState.Unavailable, state.ActiveState);
        Assert.Equal($"systemd has no unit {Unit}", state.UnavailableReason);
    }

    [SkippableFact]
    public async Task Start_UnitNotLoaded_LoadsItAndReadsItsState()
    {
        var bus = fixture.Require();
        using var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.AddUnloadedUnit(Unit, "inactive", "dead");
        await using var watcher = NewWatcher(bus.Address, out _);

        watcher.Start();
        var state = await NextAsync(watcher, StartBound);

        Assert.Equal(UnitActiveState.Inactive, state.ActiveState);
        Assert.Equal("dead", state.SubState);
        systemd.SetUnitState(Unit, "activating", "start");
        Assert.Equal(UnitActiveState.Activating, (await NextAsync(watcher, SignalBound)).ActiveState);
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
        var state = await NextAsync(watcher, TimeSpan.FromSeconds(3));
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
        var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        await using var watcher = NewWatcher(bus.Address, out _);
        watcher.Start();
        Assert.Equal(UnitActiveState.Active, (await NextAsync(watcher, StartBound)).ActiveState);

        systemd.Dispose();
        var gone = await NextAsync(watcher, SignalBound);
        Assert.Equal(UnitActiveState.Unavailable, gone.ActiveState);
        Assert.Equal("org.freedesktop.systemd1 left the bus", gone.UnavailableReason);

        using var restarted = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        restarted.SetUnitState(Unit, "inactive", "dead");
        var back = await NextAsync(watcher, StartBound);
        Assert.Equal(UnitActiveState.Inactive, back.ActiveState);
        Assert.Equal("dead", back.SubState);
    }

    [SkippableFact]
    public async Task Watch_BusDaemonKilled_UnavailableThenRecoversOnNewBusAtSameAddress()
    {
        using var bus = await PrivateDBusDaemon.StartAsync();
        var systemd = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemd.SetUnitState(Unit, "active", "running");
        await using var watcher = NewWatcher(bus.Address, out _);
        watcher.Start();
        Assert.Equal(UnitActiveState.Active, (await NextAsync(watcher, StartBound)).ActiveState);

        var killed = Stopwatch.GetTimestamp();
        bus.Kill();
        systemd.Dispose();
        var lost = await NextAsync(watcher, StartBound); // the kill itself waits for the PID; the socket EOF is what is measured
        output.WriteLine($"bus killed: {lost} after {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:F1} ms");
        Assert.Equal(UnitActiveState.Unavailable, lost.ActiveState);

        await bus.RestartAsync();
        using var systemdAgain = await FakeSystemBusServices.StartAsync(bus.Address, machined: false);
        systemdAgain.SetUnitState(Unit, "active", "running");
        var recovered = await NextNotMatchingAsync(watcher, s => !s.IsAvailable, StartBound);
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
        await using var watcher = NewWatcher(bus.Address, out _, callTimeout: TimeSpan.FromMilliseconds(500));

        var started = Stopwatch.GetTimestamp();
        watcher.Start();
        var frozen = await NextAsync(watcher, TimeSpan.FromSeconds(2));
        output.WriteLine($"frozen bus: {frozen} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F1} ms");
        Assert.Equal(UnitActiveState.Unavailable, frozen.ActiveState);
        Assert.Equal("no reply within 0.5 s", frozen.UnavailableReason);

        await bus.ThawAsync();
        var recovered = await NextAsync(watcher, StartBound);
        Assert.Equal(UnitActiveState.Active, recovered.ActiveState);
    }

    private static SystemdUnitWatcher NewWatcher(string address, out ListLogger<SystemdUnitWatcher> logger, TimeSpan? callTimeout = null)
    {
        logger = new ListLogger<SystemdUnitWatcher>();
        return new SystemdUnitWatcher(
            new SystemdUnitWatcherOptions
            {
                BusAddress = address,
                Unit = Unit,
                CallTimeout = callTimeout ?? TimeSpan.FromSeconds(2),
                RetryInitialDelay = TimeSpan.FromMilliseconds(50),
                RetryMaxDelay = TimeSpan.FromMilliseconds(200),
            },
            TimeProvider.System,
            logger);
    }

    private static async Task<SystemdUnitState> NextAsync(SystemdUnitWatcher watcher, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            return await watcher.Changes.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no unit state change within {bound.TotalMilliseconds} ms; current {watcher.Current}");
        }
    }

    private static async Task<SystemdUnitState> NextNotMatchingAsync(SystemdUnitWatcher watcher, Func<SystemdUnitState, bool> skip, TimeSpan bound)
    {
        var until = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var remaining = TimeSpan.FromSeconds((until - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            var state = await NextAsync(watcher, remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            if (!skip(state))
            {
                return state;
            }
        }
    }
}
