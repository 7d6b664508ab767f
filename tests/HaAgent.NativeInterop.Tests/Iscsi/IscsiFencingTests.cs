using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing.Iscsi;
using static HaAgent.Testing.Iscsi.IscsiTestHosts;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>SCSI-3 PR fencing end to end against a real tgtd through libiscsi: the path a fence agent relies on.</summary>
public sealed class IscsiFencingTests
{
    [SkippableFact]
    public async Task Connect_FileBackedLun_ReportsCapacityAndRoundTripsBlocks()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync(lunSizeBytes: 16 * 1024 * 1024);
        using var a = Connect(target, InitiatorA);

        Assert.Equal(512, a.Capacity.BlockSize);
        Assert.Equal(16UL * 1024 * 1024, a.Capacity.Bytes);
        Assert.Equal(a.Capacity, a.ReadCapacity());

        var data = new byte[3 * 512];
        Random.Shared.NextBytes(data);
        a.WriteBlocks(10, data);
        Assert.Equal(data, a.ReadBlocks(10, 3));

        var onDisk = new byte[data.Length];
        await using (var file = File.OpenRead(target.BackingFile(1)))
        {
            file.Position = 10 * 512;
            await file.ReadExactlyAsync(onDisk);
        }
        Assert.Equal(data, onDisk);
    }

    [SkippableFact]
    public async Task PreemptAndAbortOrPreempt_OnTgt_FallsBackToPreemptAndFencesTheVictimsWrites()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.ReservedByA);
        var (_, a, b) = hosts;
        var before = b.ReadKeys();
        Assert.Equal(new[] { KeyA, KeyB }, before.Keys.Order());
        Assert.Equal(new PersistentReservation(before.Generation, true, KeyA, WriteExclusiveRegistrantsOnly), b.ReadReservation());

        // Type 5 lets every registrant write: both hosts share the LUN until the fence.
        a.WriteBlocks(0, Block(a, 0x41));
        b.WriteBlocks(1, Block(b, 0x42));

        var fence = b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly);

        Assert.Equal(PersistentReserveOutAction.Preempt, fence.Used);
        Assert.True(fence.FellBackToPreempt);
        Assert.True(fence.PreemptAndAbortAnswer.IsIllegalRequest, fence.PreemptAndAbortAnswer.ToString());
        Assert.Equal(ScsiOutcome.InvalidFieldInCdb, fence.PreemptAndAbortAnswer.AdditionalSense);

        // The victim learns once that it was preempted, then every write is refused.
        var attention = Assert.Throws<UnitAttentionException>(() => a.WriteBlocks(0, Block(a, 0xAA)));
        Assert.Equal(ScsiOutcome.ReservationsPreempted, attention.Outcome.AdditionalSense);
        var conflict = Assert.Throws<ReservationConflictException>(() => a.WriteBlocks(0, Block(a, 0xAA)));
        Assert.Equal(ScsiStatus.ReservationConflict, conflict.Status);
        Assert.Throws<ReservationConflictException>(() => a.WriteBlocks(2, Block(a, 0xAA)));

        // The survivor writes on; the refused writes never reached the disk.
        b.WriteBlocks(1, Block(b, 0xBB));
        Assert.Equal(Block(b, 0x41), b.ReadBlocks(0, 1));
        Assert.Equal(Block(b, 0xBB), b.ReadBlocks(1, 1));
        Assert.Equal(Block(b, 0x00), b.ReadBlocks(2, 1));
        // Write Exclusive still lets the fenced host read.
        Assert.Equal(Block(a, 0x41), a.ReadBlocks(0, 1));

        var after = b.ReadKeys();
        Assert.Equal(new[] { KeyB }, after.Keys);
        Assert.True(after.Generation > before.Generation, $"generation {before.Generation} -> {after.Generation}");
        var reservation = a.ReadReservation();
        Assert.True(reservation.IsReserved);
        Assert.Equal(KeyB, reservation.Key);
        Assert.Equal(WriteExclusiveRegistrantsOnly, reservation.Type);

        // Unfence: the host cleared to run again registers whatever it held before, and writes.
        a.RegisterAndIgnoreExistingKey(KeyA);
        a.WriteBlocks(0, Block(a, 0xCC));
        Assert.Equal(Block(b, 0xCC), b.ReadBlocks(0, 1));
        Assert.Equal(new[] { KeyA, KeyB }, b.ReadKeys().Keys.Order());
    }

    [SkippableFact]
    public async Task PreemptAndAbortOrPreempt_FencerHasPendingUnitAttention_RetriesAndFences()
    {
        const ulong KeyC = 0xC0C0_0000_0000_00C3;
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.Registered);
        var (target, a, b) = hosts;
        using var c = Connect(target, "iqn.2024-01.test.haagent:host-c");
        c.Register(KeyC);
        c.Reserve(KeyC, WriteExclusiveRegistrantsOnly);
        // A takes C's reservation over with another type: tgt releases it and raises UNIT ATTENTION 2A/04 (reservations
        // released) on B, the bystander — a fencer with a state change it did not cause still pending.
        a.Preempt(KeyA, KeyC, PersistentReservationType.WriteExclusive);

        var fence = b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly);

        Assert.True(fence.FellBackToPreempt);
        Assert.Equal(new[] { KeyB }, b.ReadKeys().Keys);
        Assert.Throws<UnitAttentionException>(() => a.WriteBlocks(0, Block(a, 1)));
        Assert.Throws<ReservationConflictException>(() => a.WriteBlocks(0, Block(a, 1)));
    }

    [SkippableFact]
    public async Task PreemptAndAbortOrPreempt_VictimAlreadyFenced_AnswersReservationConflictAndKeysShowTheFenceHeld()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.ReservedByA);
        var (_, a, b) = hosts;
        b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly);

        // A fence repeated after a lost reply is not idempotent on the wire: the victim's key no longer exists.
        Assert.Throws<ReservationConflictException>(() => b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly));
        Assert.Equal(new[] { KeyB }, b.ReadKeys().Keys);
    }

    [SkippableFact]
    public async Task Reconnect_SameInitiatorIqn_IsANewUnregisteredNexusAndLeavesTheOldKeyOrphaned()
    {
        RequireLibiscsi();
        await using var target = await TgtTarget.StartAsync();
        using var b = Connect(target, InitiatorB);
        b.Register(KeyB);
        b.Reserve(KeyB, WriteExclusiveRegistrantsOnly);
        using (var first = Connect(target, InitiatorA))
        {
            first.Register(KeyA);
            first.WriteBlocks(0, Block(first, 1));
        }

        // tgt ties a registration to the session, not the initiator name: an agent that reconnects is not registered.
        using var again = Connect(target, InitiatorA);
        Assert.Throws<ReservationConflictException>(() => again.WriteBlocks(0, Block(again, 2)));
        Assert.Equal(new[] { KeyA, KeyB }, b.ReadKeys().Keys.Order());

        // The survivor removes the orphan the same way it fences.
        b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly);
        Assert.Equal(new[] { KeyB }, b.ReadKeys().Keys);
    }

    [SkippableFact]
    public async Task PreemptAndAbort_OnTgt_IsRefusedAsIllegalRequestAndChangesNothing()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.ReservedByA);
        var (_, a, b) = hosts;

        var refused = Assert.Throws<ScsiCommandException>(() => b.PreemptAndAbort(KeyB, KeyA, WriteExclusiveRegistrantsOnly));

        Assert.Equal(ScsiSenseKey.IllegalRequest, refused.SenseKey);
        Assert.Equal((0x24, 0x00), (refused.Asc, refused.Ascq));
        Assert.Equal(new[] { KeyA, KeyB }, b.ReadKeys().Keys.Order());
        a.WriteBlocks(0, Block(a, 0x11));
    }

    [SkippableFact]
    public async Task Fence_FencerNotRegistered_FailsWithReservationConflict()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.Connected);
        var (_, a, b) = hosts;
        a.Register(KeyA);
        a.Reserve(KeyA, WriteExclusiveRegistrantsOnly);

        Assert.Throws<ReservationConflictException>(() => b.PreemptAndAbortOrPreempt(KeyB, KeyA, WriteExclusiveRegistrantsOnly));

        Assert.Equal(new[] { KeyA }, a.ReadKeys().Keys);
        a.WriteBlocks(0, Block(a, 0x11));
    }

    [SkippableFact]
    public async Task ReleaseClearUnregister_ChangeReservationStateAsSpc()
    {
        await using var hosts = await IscsiHostPair.StartAsync(IscsiHostSetup.Registered);
        var (_, a, b) = hosts;

        a.Reserve(KeyA, PersistentReservationType.WriteExclusive);
        Assert.Throws<ReservationConflictException>(() => b.WriteBlocks(0, Block(b, 1)));
        a.Release(KeyA, PersistentReservationType.WriteExclusive);

        // tgt raises UNIT ATTENTION 2A/04 (reservations released) even on the releasing nexus: the command after a
        // PR change is retried once, as a fence agent does.
        Assert.False(a.RetryOnUnitAttention(s => s.ReadReservation()).IsReserved);
        b.RetryOnUnitAttention(s => { s.WriteBlocks(0, Block(s, 2)); return 0; });

        b.Unregister(KeyB);
        Assert.Equal(new[] { KeyA }, a.RetryOnUnitAttention(s => s.ReadKeys()).Keys);

        a.Clear(KeyA);
        Assert.Empty(a.RetryOnUnitAttention(s => s.ReadKeys()).Keys);
        Assert.False(a.RetryOnUnitAttention(s => s.ReadReservation()).IsReserved);
        Assert.Throws<ReservationConflictException>(() => a.Reserve(KeyA, PersistentReservationType.WriteExclusive));
    }
}
