using System.Diagnostics;
using HaAgent.Testing.Lab;

namespace HaAgent.Demo;

/// <summary>
/// Part 1, on the lab alone: fence first, then restart. A VM on h1 writes numbered blocks to its RBD disk; h1 is fenced
/// by blocklisting its whole IP; its next write is refused; the same VM definition starts on h2 and writes; the image
/// read back from the storage side holds exactly the writes acknowledged before the fence plus h2's. Then the harder
/// case: h1 frozen (a hung host), fenced, thawed — the write it was asked for while frozen never lands.
/// </summary>
internal static class FenceProof
{
    public static async Task<DemoResult> RunAsync(Narrator say, CancellationToken cancellationToken)
    {
        var figures = new List<string>();
        var failures = new List<string>();
        void Check(bool held, string what)
        {
            say.Verdict(held, what);
            if (!held)
            {
                failures.Add(what);
            }
        }

        say.Chapter("Lab: storage + 2 hosts in network namespaces, Ceph, one libvirtd per host");
        await using var lab = await Lab.StartAsync(new LabOptions { Hosts = 2, Images = ["vm1", "vm2"], Log = say.Say }, cancellationToken);
        figures.Add($"lab up: {lab.StartupTime.TotalSeconds:F1} s");
        var h1 = lab.Host("h1");
        var h2 = lab.Host("h2");

        say.Chapter("vm1 runs on h1 and writes to its RBD disk");
        var definition = lab.DefineVm("vm1");
        var onH1 = await h1.StartVmAsync(definition, cancellationToken);
        say.Say($"vm1 started on h1 (QEMU pid {onH1.QemuPid}), disk rbd:{lab.Pool}/vm1 via mon {LabAddresses.Storage}:{LabAddresses.CephMonPort}");
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            var write = await onH1.WriteAsync(sequence, cancellationToken: cancellationToken);
            say.Say(write.ToString());
            Check(write.Outcome == VmWriteOutcome.Acknowledged, $"write #{sequence} from h1 acknowledged before the fence");
        }

        say.Chapter("h1 is fenced: its whole IP is blocklisted, then every PG has seen the new osdmap");
        var clock = Stopwatch.StartNew();
        var fence = await lab.FenceHostAsync(h1, cancellationToken);
        var refused = await onH1.WriteAsync(4, cancellationToken: cancellationToken);
        var fenceToRefused = clock.Elapsed;
        say.Say(refused.ToString());
        Check(refused.Outcome == VmWriteOutcome.Failed, "h1's next write is refused by the storage (ESHUTDOWN)");
        figures.Add($"fence (blocklist {fence.BlocklistTime.TotalMilliseconds:F0} ms + all-PG barrier {fence.BarrierTime.TotalMilliseconds:F0} ms, ceph CLI start-up included) → refused write: {fenceToRefused.TotalMilliseconds:F0} ms");
        figures.Add($"blocklist entry committed → barrier done → next write refused: {(fence.BarrierTime + refused.Elapsed).TotalMilliseconds:F0} ms");
        say.Say($"h1's QEMU is still alive (pid {onH1.QemuPid}): a fence cuts the storage, it does not need the host's cooperation");

        say.Chapter("Only now: the same VM definition starts on h2");
        clock.Restart();
        var onH2 = await h2.StartVmAsync(definition, cancellationToken);
        var h2Write = await onH2.WriteAsync(5, cancellationToken: cancellationToken);
        say.Say(h2Write.ToString());
        Check(h2Write.Outcome == VmWriteOutcome.Acknowledged, "vm1 on h2 writes");
        figures.Add($"start on h2 → first write acknowledged: {clock.Elapsed.TotalMilliseconds:F0} ms");
        var late = await onH1.WriteAsync(6, cancellationToken: cancellationToken);
        say.Say(late.ToString());
        Check(late.Outcome == VmWriteOutcome.Failed, "the old vm1 on h1 still cannot write while vm1 runs on h2");

        say.Chapter("The storage's own account: vm1's image read back from the storage namespace");
        var image = await lab.ReadImageAsync("vm1", cancellationToken);
        say.Say(image.ToString());
        Check(image.Landed.SequenceEqual([1, 2, 3, 5]) && image.Torn.Count == 0, "exactly h1's pre-fence writes 1-3 and h2's write 5 landed; 4 and 6 did not");

        say.Chapter("A hung host: vm2 on h2 is frozen with a write pending, fenced, thawed");
        var vm2 = await h2.StartVmAsync(lab.DefineVm("vm2"), cancellationToken);
        var first = await vm2.WriteAsync(1, cancellationToken: cancellationToken);
        Check(first.Outcome == VmWriteOutcome.Acknowledged, "vm2 on h2 writes before the freeze");
        h2.Freeze();
        say.Say("h2 frozen (cgroup freeze of its libvirtd and QEMUs); a write is requested while it is frozen");
        var pending = vm2.WriteAsync(2, TimeSpan.FromSeconds(10), cancellationToken);
        await Task.Delay(300, cancellationToken);
        await lab.FenceHostAsync(h2, cancellationToken);
        h2.Thaw();
        say.Say("h2 thawed: its QEMU wakes up with a stale view of the world");
        var woken = await pending;
        say.Say(woken.ToString());
        var frozenImage = await lab.ReadImageAsync("vm2", cancellationToken);
        say.Say(frozenImage.ToString());
        Check(woken.Outcome != VmWriteOutcome.Acknowledged && frozenImage.Landed.SequenceEqual([1]), "the write released by the thaw never lands");
        return DemoResult.From("fence proof", figures, failures);
    }
}
