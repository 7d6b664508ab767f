using System.Net.Sockets;
using System.Text;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Agent.Tests.SelfFence;

/// <summary>
/// systemd's watchdog (fake systemd: an AF_UNIX datagram socket as NOTIFY_SOCKET) while a real self-fence runs
/// long: libvirtd (private session daemon, test driver) is frozen, so virDomainDestroy hangs until the kill grace
/// (5 s) ends it. WATCHDOG_USEC is 4 s (a ping every 2 s): without pings during the self-fence systemd would abort it.
/// </summary>
public sealed class SelfFenceSystemdPingTests : IDisposable
{
    private static readonly TimeSpan Usec = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _directory = new("agent-fence-ping");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task SelfFence_SlowButWithinItsBound_SystemdPingedThroughout()
    {
        var run = await RunSelfFenceAsync(selfFenceBound: null);

        Assert.True(run.FenceEnd - run.FenceStart >= Grace - TimeSpan.FromMilliseconds(200), $"the self-fence took only {run.Duration}");
        var around = run.Pings.Where(p => p >= run.FenceStart - Usec && p <= run.FenceEnd).ToList();
        around.Add(run.FenceEnd);
        var gaps = around.Zip(around.Skip(1), (a, b) => b - a).ToList();
        // systemd aborts after WATCHDOG_USEC without a ping: every gap across the self-fence stays below it.
        Assert.True(gaps.Max() < Usec, $"longest gap {gaps.Max().TotalMilliseconds:F0} ms during a {run.Duration.TotalMilliseconds:F0} ms self-fence");
        Assert.Contains(run.Pings, p => p > run.FenceStart + TimeSpan.FromSeconds(1.5) && p < run.FenceEnd);
    }

    [SkippableFact]
    public async Task SelfFence_PastItsBound_PingsStopSoSystemdActs()
    {
        var bound = TimeSpan.FromSeconds(1);

        var run = await RunSelfFenceAsync(bound);

        Assert.True(run.FenceEnd - run.FenceStart >= Grace - TimeSpan.FromMilliseconds(200), $"the self-fence took only {run.Duration}");
        // Pinged while inside its bound, then silent until it ended: > WATCHDOG_USEC, so systemd would have restarted it.
        var last = run.Pings.Where(p => p < run.FenceEnd).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        Assert.True(last <= run.FenceStart + bound + TimeSpan.FromMilliseconds(500), $"pinged {(last - run.FenceStart).TotalMilliseconds:F0} ms into the self-fence");
        Assert.True(run.FenceEnd - last >= Usec - TimeSpan.FromMilliseconds(300), $"silent only {(run.FenceEnd - last).TotalMilliseconds:F0} ms");
    }

    private sealed record FenceRun(List<DateTimeOffset> Pings, DateTimeOffset FenceStart, DateTimeOffset FenceEnd)
    {
        public TimeSpan Duration => FenceEnd - FenceStart;
    }

    private async Task<FenceRun> RunSelfFenceAsync(TimeSpan? selfFenceBound)
    {
        Requires.Tools("libvirt-daemon", "libvirtd");
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        // test:///default lives in the daemon while a connection holds it: this one, until the end.
        using var control = LibvirtConnection.Open(daemon.TestDefaultUri);
        using (var domain = control.DefineXml(LibvirtTestNode.DomainXml("ha-frozen-host", Guid.NewGuid())))
        {
            domain.Create();
        }
        await using var watcher = new VmWatcher(
            new VmWatcherOptions(daemon.TestDefaultUri, "ha-", null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)) { MonitorProbeInterval = null },
            TimeProvider.System, NullLogger<VmWatcher>.Instance);
        using var stopWatcher = new CancellationTokenSource();
        var watching = watcher.RunAsync(stopWatcher.Token);
        await watcher.Ready.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(VmStatus.Running, Assert.Single(watcher.Snapshot()).Status);

        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(_directory.File("notify.sock")));
        var state = new AgentStateStore(_directory.File("state.json"));
        var fenceStart = DateTimeOffset.MinValue;
        var fencer = new SelfFencer(watcher, state, 1, Grace, TimeProvider.System, NullLogger<SelfFencer>.Instance);
        var monitor = new SelfFenceMonitor(new CoordinatorContact(TimeProvider.System), fencer, null, state, TimeSpan.FromSeconds(1.5),
            TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<SelfFenceMonitor>.Instance,
            onSelfFencing: () => fenceStart = DateTimeOffset.UtcNow,
            systemd: new SystemdWatchdog(NotifySockets.NotifierFor(_directory.File("notify.sock")), Usec / 2, TimeProvider.System),
            selfFenceBound: selfFenceBound);
        Assert.Equal(selfFenceBound ?? Grace + TimeSpan.FromSeconds(10), selfFenceBound ?? fencer.Bound);

        // libvirtd stops answering before the coordinator's silence (1.5 s) starts the self-fence.
        await daemon.FreezeAsync();
        using var stop = new CancellationTokenSource();
        var pings = new List<DateTimeOffset>();
        try
        {
            var monitoring = Task.Run(() => monitor.RunAsync(stop.Token), CancellationToken.None);
            var buffer = new byte[64];
            var until = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTimeOffset.UtcNow < until && state.Current.PendingSelfFences.Count == 0)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    var length = await systemd.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    Assert.Equal("WATCHDOG=1", Encoding.ASCII.GetString(buffer, 0, length));
                    pings.Add(DateTimeOffset.UtcNow);
                }
                catch (OperationCanceledException)
                {
                }
            }
            await stop.CancelAsync();
            await monitoring.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            // A frozen libvirtd would block the watcher's virConnectClose forever.
            await daemon.ThawAsync();
        }
        await stopWatcher.CancelAsync();
        await watching.WaitAsync(TimeSpan.FromSeconds(10));

        var record = Assert.Single(state.Current.PendingSelfFences);
        Assert.NotEqual(DateTimeOffset.MinValue, fenceStart);
        // The destroy never returned and no QEMU was known: a failed self-fence (kicks and pings stop after it as before).
        Assert.NotEmpty(record.Failed);
        return new FenceRun(pings, fenceStart, record.At);
    }
}
