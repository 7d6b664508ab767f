using System.Diagnostics;
using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>
/// The invariant on real parts, before any coordinator exists: a VM's QEMU on h1 writes to its RBD disk; once h1's
/// whole IP is blocklisted (how the agent fences a host) its next write is refused and the image read back from the
/// storage side holds nothing written after the fence; the same definition then runs on h2 and its writes land.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class FenceProofTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task WholeHostBlocklist_VmOnH1_NextWriteRefusedNothingLandsAfterFenceAndH2TakesOver()
    {
        await using var lab = await LabSession.StartAsync(output);
        var h1 = lab.Host("h1");
        var h2 = lab.Host("h2");
        var definition = lab.DefineVm("vm1");

        var onH1 = await h1.StartVmAsync(definition);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            var write = await onH1.WriteAsync(sequence);
            output.WriteLine(write.ToString());
            Assert.Equal(VmWriteOutcome.Acknowledged, write.Outcome);
        }

        var fenceClock = Stopwatch.StartNew();
        var fence = await lab.FenceHostAsync(h1);
        var refused = await onH1.WriteAsync(4);
        var fenceToRefused = fenceClock.Elapsed;
        output.WriteLine($"{refused}; fence → refused write {fenceToRefused.TotalMilliseconds:F0} ms (blocklist {fence.BlocklistTime.TotalMilliseconds:F0} ms, barrier {fence.BarrierTime.TotalMilliseconds:F0} ms)");
        Assert.Equal(VmWriteOutcome.Failed, refused.Outcome);
        Assert.Contains("Cannot send after transport endpoint shutdown", refused.Detail, StringComparison.Ordinal); // ESHUTDOWN: blocklisted

        var afterFence = await lab.ReadImageAsync("vm1");
        output.WriteLine($"read back after the fence: {afterFence}");
        Assert.Equal([1, 2, 3], afterFence.Landed);
        Assert.Empty(afterFence.Torn);

        // h1's QEMU still runs (a fence is not a kill), yet the same definition starts on h2 and writes.
        Assert.NotNull(onH1.QemuPid);
        var restartClock = Stopwatch.StartNew();
        var onH2 = await h2.StartVmAsync(definition);
        var h2Write = await onH2.WriteAsync(5);
        output.WriteLine($"{h2Write}; start on h2 → first write acknowledged {restartClock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(VmWriteOutcome.Acknowledged, h2Write.Outcome);

        var lateH1 = await onH1.WriteAsync(6);
        output.WriteLine(lateH1.ToString());
        Assert.Equal(VmWriteOutcome.Failed, lateH1.Outcome);

        var final = await lab.ReadImageAsync("vm1");
        output.WriteLine($"read back at the end: {final}");
        Assert.Equal([1, 2, 3, 5], final.Landed);
        Assert.Empty(final.Torn);
    }

    [SkippableFact]
    public async Task FrozenHost_FencedWhileFrozenThenThawed_ItsWritesNeverLand()
    {
        await using var lab = await LabSession.StartAsync(output);
        var h1 = lab.Host("h1");
        var onH1 = await h1.StartVmAsync(lab.DefineVm("vm1"));
        Assert.Equal(VmWriteOutcome.Acknowledged, (await onH1.WriteAsync(1)).Outcome);

        h1.Freeze();
        Assert.True(h1.IsFrozen);
        // This write is asked for while h1 is frozen: libvirtd cannot even read the request until the thaw, so it reaches
        // QEMU only after the fence — the "stale writer wakes up" case.
        var pending = onH1.WriteAsync(2, TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        await lab.FenceHostAsync(h1);
        h1.Thaw();
        var woken = await pending;
        output.WriteLine(woken.ToString());
        Assert.NotEqual(VmWriteOutcome.Acknowledged, woken.Outcome);
        var next = await onH1.WriteAsync(3);
        output.WriteLine(next.ToString());
        Assert.Equal(VmWriteOutcome.Failed, next.Outcome);

        var image = await lab.ReadImageAsync("vm1");
        output.WriteLine($"read back: {image}");
        Assert.Equal([1], image.Landed);
        Assert.Empty(image.Torn);
    }
}
