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
