using System.Net.Sockets;
using System.Text;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.Testing;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Agent.Tests.SelfFence;

/// <summary>
/// systemd's watchdog pings against a fake systemd: an AF_UNIX datagram socket given as NOTIFY_SOCKET, read the way
/// systemd reads it. Hosting.Systemd 10.0 detects systemd only by the parent process, so the ping component is driven
/// directly with its real <see cref="SystemdNotifier"/>.
/// </summary>
public sealed class SystemdWatchdogTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-systemd");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("30000000", null, 15_000)]
    [InlineData("30000000", "", 15_000)]
    [InlineData("30000000", "own", 15_000)]
    [InlineData("1000000", null, 500)]
    [InlineData("30000000", "1", null)]
    [InlineData("30000000", "x", null)]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("30s", null, null)]
    public void ParsePingInterval_EnvironmentValues_HalfOfWatchdogUsecOnlyForThisProcess(string? usec, string? pid, int? expectedMs)
    {
        var ownPid = Environment.ProcessId == 1 ? 2 : Environment.ProcessId;
        var interval = SystemdWatchdog.ParsePingInterval(usec, pid == "own" ? ownPid.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid, ownPid);

        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, interval);
    }

    [Fact]
    public void FromEnvironment_NoWatchdogUsec_NoPings()
    {
        var registered = new RecordingNotifier();

        Assert.Null(Environment.GetEnvironmentVariable(SystemdWatchdog.UsecVariable));
        Assert.Null(SystemdWatchdog.FromEnvironment(registered, TimeProvider.System));
    }

    [Fact]
    public async Task RunAsync_HealthyThenSelfFenceFails_PingsAtHalfWatchdogUsecAndStopWithTheKicks()
    {
        var usec = TimeSpan.FromSeconds(1);
        using var systemd = FakeSystemd();
        var notifier = NotifierFor(systemd);
        Assert.True(notifier.IsEnabled);
        var ping = new SystemdWatchdog(notifier, usec / 2, TimeProvider.System);
        // A watcher that never reached libvirt: its empty table proves nothing, so the self-fence fails and kicks stop.
        await using var watcher = new VmWatcher(
            new VmWatcherOptions("test:///nowhere", "", null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger<VmWatcher>.Instance);
        var state = new AgentStateStore(_directory.File("state.json"));
        var watchdogFile = _directory.File("watchdog");
        var monitor = new SelfFenceMonitor(new CoordinatorContact(TimeProvider.System),
            new SelfFencer(watcher, state, 1, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<SelfFencer>.Instance),
            new FileWatchdog(watchdogFile, TimeProvider.System), state, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500), TimeProvider.System,
            NullLogger<SelfFenceMonitor>.Instance, systemd: ping);
        Assert.True(monitor.CheckInterval <= usec / 4, $"check interval {monitor.CheckInterval}");

        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => monitor.RunAsync(stop.Token), CancellationToken.None);
        var pings = new List<(DateTimeOffset At, string Text)>();
        var buffer = new byte[256];
        var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(6.5);
        while (DateTimeOffset.UtcNow < until)
        {
            using var wait = new CancellationTokenSource(until - DateTimeOffset.UtcNow);
            try
            {
                var length = await systemd.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                pings.Add((DateTimeOffset.UtcNow, Encoding.ASCII.GetString(buffer, 0, length)));
            }
            catch (OperationCanceledException)
            {
            }
        }
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var fence = Assert.Single(state.Current.PendingSelfFences);
        Assert.NotEmpty(fence.Failed);
        Assert.All(pings, p => Assert.Equal("WATCHDOG=1", p.Text));
        var before = pings.Where(p => p.At <= fence.At + TimeSpan.FromSeconds(1)).Select(p => p.At).ToList();
        // ~3 s of health at one ping per 0.5 s: about 6; a loaded machine delays ticks, never adds pings.
        Assert.InRange(before.Count, 3, 8);
        var gaps = before.Zip(before.Skip(1), (a, b) => (b - a).TotalSeconds).Order().ToList();
        Assert.InRange(gaps[gaps.Count / 2], 0.45, 0.9);
        // After the failed self-fence nothing, for more than twice WATCHDOG_USEC: systemd would restart the agent.
        Assert.True(until - fence.At > 2 * usec, $"only {(until - fence.At).TotalSeconds:F1} s observed after the fence");
        Assert.DoesNotContain(pings, p => p.At > fence.At + TimeSpan.FromSeconds(1));
        // The hardware (here: file) watchdog stopped at the same decision.
        var lastKick = File.ReadAllLines(watchdogFile).Where(l => l.StartsWith("kick ", StringComparison.Ordinal))
            .Select(l => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(l[5..], System.Globalization.CultureInfo.InvariantCulture))).Max();
        Assert.True(lastKick <= fence.At, $"kicked at {lastKick:O} after the self-fence at {fence.At:O}");
    }

    [Fact]
    public async Task CheckOnce_RestartedWithFailedSelfFencePending_NoKickNoPingNoDeviceOpenUntilCoordinatorHeard()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var state = new AgentStateStore(_directory.File("state.json"));
        state.AddSelfFence(new SelfFenceRecord(clock.GetUtcNow(), 1, "no coordinator contact", [], [], ["ha-a: libvirt did not answer"]));
        await using var watcher = new VmWatcher(
            new VmWatcherOptions("test:///nowhere", "", null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            TimeProvider.System, NullLogger<VmWatcher>.Instance);
        var contact = new CoordinatorContact(clock);
        var notifier = new RecordingNotifier();
        var watchdogFile = _directory.File("watchdog");
        var monitor = new SelfFenceMonitor(contact,
            new SelfFencer(watcher, state, 2, TimeSpan.FromSeconds(1), clock, NullLogger<SelfFencer>.Instance),
            new DeferredWatchdog(watchdogFile, () => new FileWatchdog(watchdogFile, clock)), state, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), clock,
            NullLogger<SelfFenceMonitor>.Instance, systemd: new SystemdWatchdog(notifier, TimeSpan.FromSeconds(15), clock));

        // Inside the startup grace, and beyond it: the restart must not resume what the failed self-fence stopped.
        await monitor.CheckOnceAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(40));
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Empty(notifier.States);
        Assert.False(File.Exists(watchdogFile), "the watchdog device was opened");
        Assert.Single(state.Current.PendingSelfFences); // no second self-fence either

        contact.Touch();
        await monitor.CheckOnceAsync(CancellationToken.None);
        Assert.Equal(["WATCHDOG=1"], notifier.States);
        Assert.Contains(File.ReadAllLines(watchdogFile), l => l.StartsWith("kick ", StringComparison.Ordinal));
    }

    private Socket FakeSystemd()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(NotifySocketPath));
        return socket;
    }

    private string NotifySocketPath => _directory.File("notify.sock");

    private SystemdNotifier NotifierFor(Socket systemd)
    {
        Assert.True(systemd.IsBound);
        return NotifySockets.NotifierFor(NotifySocketPath);
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> States { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => States.Add(state.ToString());
    }
}
