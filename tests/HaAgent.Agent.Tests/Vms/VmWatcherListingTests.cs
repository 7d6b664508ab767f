using System.Diagnostics;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>
/// The periodic re-list runs beside the watcher's loop, not on it: while libvirtd does not answer (SIGSTOPped private
/// daemon, test driver) a QEMU exit is still applied at once, and the listing that was stuck meanwhile does not undo it.
/// The "QEMU" is a shell carrying <c>-uuid UUID</c> on its command line, which is how the watcher finds one in /proc.
/// </summary>
public sealed class VmWatcherListingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task ProcessExit_WhileListingWaitsForFrozenLibvirtd_AppliedAtOnceAndKept()
    {
        Requires.Tools("libvirt-daemon", "libvirtd");
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var control = LibvirtConnection.Open(daemon.TestDefaultUri); // keeps test:///default alive in the daemon
        var uuid = Guid.NewGuid();
        using (var domain = control.DefineXml(LibvirtTestNode.DomainXml("ha-listed", uuid)))
        {
            domain.Create();
        }
        using var qemu = Process.Start(new ProcessStartInfo("sh", ["-c", "sleep 600", "-uuid", uuid.ToString()]) { UseShellExecute = false })!;
        try
        {
            // Reconcile every 300 ms: a listing is always about to start or under way.
            await using var harness = await VmWatcherHarness.StartAsync(daemon.TestDefaultUri, "ha-", output: output,
                configure: o => o with { ReconcileInterval = TimeSpan.FromMilliseconds(300) });
            var entry = Assert.Single(harness.Watcher.Snapshot());
            Assert.Equal(VmStatus.Running, entry.Status);
            Assert.Equal(qemu.Id, entry.QemuPid);
            while (harness.Watcher.Changes.TryRead(out _))
            {
            }

            await daemon.FreezeAsync();
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(700)); // a listing is now stuck in libvirt
                var killed = Stopwatch.GetTimestamp();
                ProcessKiller.KillAndWait(qemu.Id);
                var crashed = await harness.WaitForAsync(c => c.Name == "ha-listed", TimeSpan.FromSeconds(2));
                output.WriteLine($"exit applied {Stopwatch.GetElapsedTime(killed).TotalMilliseconds:F1} ms after the kill, libvirtd frozen");
                Assert.Equal(VmStatus.Crashed, crashed.Current);
                Assert.Equal(VmChangeSource.ProcessExit, crashed.Source);
            }
            finally
            {
                await daemon.ThawAsync();
            }

            // The stuck listing (libvirt still says running: the test driver has no QEMU to lose) and later ones
            // must not bring it back to Running.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            while (harness.Watcher.Changes.TryRead(out var later))
            {
                Assert.False(later.Name == "ha-listed" && later.Current == VmStatus.Running, $"flipped back: {later.Reason}");
            }
            Assert.Equal(VmStatus.Crashed, Assert.Single(harness.Watcher.Snapshot()).Status);
        }
        finally
        {
            if (!qemu.HasExited)
            {
                ProcessKiller.KillAndWait(qemu.Id);
            }
        }
    }
}
