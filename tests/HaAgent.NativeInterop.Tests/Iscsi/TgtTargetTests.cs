using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;
using static HaAgent.Testing.Iscsi.IscsiTestHosts;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>The fixture itself: side-by-side instances are independent, and disposal leaves nothing running.</summary>
public sealed class TgtTargetTests
{
    [SkippableFact]
    public async Task StartAsync_TwoInstancesSideBySide_HaveIndependentReservations()
    {
        RequireLibiscsi();
        await using var first = await TgtTarget.StartAsync();
        await using var second = await TgtTarget.StartAsync(lunCount: 2);
        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.ControlNumber, second.ControlNumber);

        using var a1 = Connect(first, InitiatorA);
        using var b1 = Connect(first, InitiatorB);
        using var a2 = Connect(second, InitiatorA, lun: 2);
        a1.Register(KeyA);
        b1.Register(KeyB);
        a1.Reserve(KeyA, WriteExclusiveRegistrantsOnly);
        a2.Register(KeyA);

        b1.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly);

        Assert.Equal(new[] { KeyB }, b1.ReadKeys().Keys);
        Assert.Equal(new[] { KeyA }, a2.ReadKeys().Keys);
        a2.WriteBlocks(0, Block(a2, 7));
    }

    [SkippableFact]
    public async Task DisposeAsync_RunningOrKilledOrFrozen_LeavesNoProcessNorFiles()
    {
        var running = await TgtTarget.StartAsync();
        var killed = await TgtTarget.StartAsync();
        var frozen = await TgtTarget.StartAsync();
        killed.Kill();
        await frozen.FreezeAsync();

        foreach (var target in new[] { running, killed, frozen })
        {
            await target.DisposeAsync();
            Assert.False(ProcessKiller.IsAlive(target.Pid), target.ToString());
            Assert.False(Directory.Exists(target.WorkDirectory), target.WorkDirectory);
            Assert.False(File.Exists($"/var/run/tgtd/socket.{target.ControlNumber}"));
        }
    }

    [SkippableFact]
    public async Task Dispose_SessionStillLoggedIn_StopsTgtdWithinSeconds()
    {
        RequireLibiscsi();
        var target = await TgtTarget.StartAsync();
        using var a = Connect(target, InitiatorA);
        a.Register(KeyA);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await target.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.False(ProcessKiller.IsAlive(target.Pid));
        Assert.Throws<IscsiTransportException>(() => a.ReadKeys());
    }
}
