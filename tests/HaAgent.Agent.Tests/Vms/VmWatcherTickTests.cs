using HaAgent.Agent.Vms;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>
/// The probe tick has work only for VMs with an attached QEMU: without one (here test-driver domains) it must not wake
/// at the probe interval, yet the re-list keeps its cadence. (With a QEMU attached the tick runs at the probe interval:
/// the SIGSTOP tests of VmWatcherQemuTests see a stopped QEMU within one 100 ms probe.)
/// </summary>
public sealed class VmWatcherTickTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Tick_NoQemuAttached_TicksOnlyForTheRelistWhichKeepsItsInterval()
    {
        HaAgent.Testing.Requires.Library("libvirt.so.0", "libvirt0");
        using var node = LibvirtTestNode.Create([new("ha-web", Guid.NewGuid(), Running: true), new("ha-db", Guid.NewGuid(), Running: true)]);
        var relist = TimeSpan.FromSeconds(1);
        await using var harness = await VmWatcherHarness.StartAsync(node.Uri, "ha-", output: output,
            configure: o => o with { ReconcileInterval = relist, ProbeInterval = TimeSpan.FromMilliseconds(100) });
        Assert.All(harness.Watcher.Snapshot(), vm => Assert.Null(vm.QemuPid));

        var listings = harness.Watcher.Listings;
        await Task.Delay(TimeSpan.FromSeconds(3.5));

        Assert.InRange(harness.Watcher.TickPeriod, TimeSpan.FromMilliseconds(100) + TimeSpan.FromTicks(1), relist);
        // One listing per second: 3 in 3.5 s (4 if the first tick came early), fewer under heavy load but never none.
        Assert.InRange(harness.Watcher.Listings - listings, 2, 4);
    }
}
