using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Agent.Storage;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static HaAgent.Agent.Tests.Fixtures.AgentTestHosts;

namespace HaAgent.Agent.Tests.Fencing;

/// <summary>iSCSI fence and unfence through the agent against a real tgtd: host A's VM nexus is the victim, host B's agent the executor.</summary>
public sealed class IscsiFenceTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _directory = new("agent-iscsi");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Execute_VictimHoldsReservation_PreemptedWriteConflictsAndKeysProveIt()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vms = ReservedByVmA(target);
        var (vmA, vmB) = (vms.VmA, vms.VmB);
        vmA.WriteBlocks(0, Block(vmA, 0x41));
        using var pool = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));
        var executor = Executor(new AgentStateStore(_directory.File("state.json")), null, pool);

        var report = await executor.ExecuteAsync(new FenceCommand("f-1", 3, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));

        Assert.True(report.Succeeded, string.Join("; ", report.Failures));
        var proof = Assert.IsType<IscsiKeysProof>(Assert.Single(report.Proofs));
        output.WriteLine($"{proof} in {report.Elapsed.TotalMilliseconds:F1} ms");
        Assert.True(proof.VictimAbsent);
        Assert.DoesNotContain(KeyA, proof.RegisteredKeys);
        Assert.Contains(KeyB, proof.RegisteredKeys);
        Assert.Equal(PersistentReserveOutAction.Preempt, proof.PreemptedWith); // tgt refuses PREEMPT AND ABORT
        Assert.Equal(KeyB, proof.ReservationHolderKey);
        Assert.Equal(Type5, proof.ReservationType);

        Assert.Equal(ScsiStatus.ReservationConflict, WriteRefused(vmA, 0xAA).Status);
        Assert.Equal(Block(vmB, 0x41), vmB.ReadBlocks(0, 1));
        vmB.WriteBlocks(1, Block(vmB, 0x42));
    }

    [SkippableFact]
    public async Task Execute_NoReservationYet_ExecutorReservesSoTheVictimIsShutOut()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vmA = VmSession(target, VmInitiatorA);
        using var vmB = VmSession(target, VmInitiatorB);
        vmA.Register(KeyA);
        vmB.Register(KeyB);
        using var pool = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));

        var report = await Executor(new AgentStateStore(_directory.File("state.json")), null, pool)
            .ExecuteAsync(new FenceCommand("f-1", 1, "hostA", [new IscsiFenceTarget(target.Portal, target.TargetIqn, 1, KeyA)]));

        Assert.True(report.Succeeded, string.Join("; ", report.Failures));
        var proof = Assert.IsType<IscsiKeysProof>(Assert.Single(report.Proofs));
        Assert.Equal(KeyB, proof.ReservationHolderKey);
        Assert.Equal(ScsiStatus.ReservationConflict, WriteRefused(vmA, 0xAA).Status);
        Assert.Equal(Block(vmB, 0x00), vmB.ReadBlocks(0, 1));
    }

    [SkippableFact]
    public async Task Execute_ExecutorKeyNotRegistered_NotRegisteredAndVictimUntouched()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vmA = VmSession(target, VmInitiatorA);
        vmA.Register(KeyA);
        vmA.Reserve(KeyA, Type5);
        using var pool = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));

        var report = await Executor(new AgentStateStore(_directory.File("state.json")), null, pool)
            .ExecuteAsync(new FenceCommand("f-1", 1, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));

        Assert.Equal(FenceFailureKind.NotRegistered, Assert.Single(report.Failures).Kind);
        Assert.Equal([KeyA], vmA.ReadKeys().Keys);
        vmA.WriteBlocks(0, Block(vmA, 0x41));
    }

    [SkippableFact]
    public async Task Execute_StaleToken_KeysUnchangedAndVictimStillWrites()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vms = ReservedByVmA(target);
        var (vmA, vmB) = (vms.VmA, vms.VmB);
        var before = vmB.ReadKeys();
        var statePath = _directory.File("state.json");
        Assert.True(new AgentStateStore(statePath).TryAdmit(20, out _));
        using var pool = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));

        var report = await Executor(new AgentStateStore(statePath), null, pool)
            .ExecuteAsync(new FenceCommand("f-old", 19, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));

        Assert.Equal(FenceFailureKind.StaleToken, Assert.Single(report.Failures).Kind);
        Assert.Equal(before.Keys.Order(), vmB.ReadKeys().Keys.Order());
        Assert.Equal(before.Generation, vmB.ReadKeys().Generation);
        vmA.WriteBlocks(0, Block(vmA, 0x41));
    }

    [SkippableFact]
    public async Task Unfence_VmsDead_RegistersOwnKeyAndHostWritesAgain()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var vms = ReservedByVmA(target);
        var (vmA, vmB) = (vms.VmA, vms.VmB);
        using var poolB = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorB, KeyB));
        var fence = await Executor(new AgentStateStore(_directory.File("b.json")), null, poolB)
            .ExecuteAsync(new FenceCommand("f-1", 2, "hostA", [new IscsiFenceTarget(null, target.TargetIqn, 1, KeyA)]));
        Assert.True(fence.Succeeded, string.Join("; ", fence.Failures));
        WriteRefused(vmA, 0xAA);

        using var node = LibvirtTestNode.Create([new TestDomain("ha-db", Guid.NewGuid(), Running: false)]);
        using var poolA = new IscsiSessionPool(IscsiOptions(target, AgentInitiatorA, KeyA));
        var unfence = new UnfenceExecutor(new AgentStateStore(_directory.File("a.json")), null, poolA,
            new LibvirtLeftoverVmCheck(new() { Uri = node.Uri }), StepTimeout, NullLogger<UnfenceExecutor>.Instance);
        var refused = await new UnfenceExecutor(new AgentStateStore(_directory.File("a2.json")), null, poolA,
                new LibvirtLeftoverVmCheck(new() { Uri = node.Uri }), StepTimeout, NullLogger<UnfenceExecutor>.Instance)
            .ExecuteAsync(new UnfenceCommand("u-0", 2, [], [new IscsiUnfenceTarget(null, target.TargetIqn, 1)], CallerConfirmsVmsDead: false));
        Assert.Equal(FenceFailureKind.LeftoverVmsRunning, Assert.Single(refused.Failures).Kind);
        Assert.DoesNotContain(KeyA, vmB.ReadKeys().Keys);

        var report = await unfence.ExecuteAsync(new UnfenceCommand("u-1", 2, [], [new IscsiUnfenceTarget(null, target.TargetIqn, 1)], CallerConfirmsVmsDead: true));

        Assert.True(report.Succeeded, string.Join("; ", report.Failures));
        Assert.Contains(KeyA, Assert.IsType<IscsiRegisteredProof>(Assert.Single(report.Proofs)).RegisteredKeys);
        var hostA = poolA.Get(new IscsiLunAddress(target.Portal, target.TargetIqn, 1), out var isNew);
        Assert.False(isNew);
        hostA.WriteBlocks(2, Block(hostA, 0x61));
        Assert.Equal(Block(vmB, 0x61), vmB.ReadBlocks(2, 1));
    }
}
