using HaAgent.Protocol.Gate;
using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol.Tests.Gate;

public sealed class OrderGateTests
{
    private static StopVmOrder Stop(long epoch, long sequence, string? id = null) =>
        new(id ?? $"stop-{epoch}-{sequence}", new OrderStamp(epoch, sequence), "vm-1");

    private static StartVmOrder Start(long epoch, long sequence) =>
        new($"start-{epoch}-{sequence}", new OrderStamp(epoch, sequence), "vm-1", "<domain/>", []);

    private static UnfenceOrder Unfence(long epoch, long sequence) =>
        new($"unfence-{epoch}-{sequence}", new OrderStamp(epoch, sequence), ["vm-1"], [], []);

    /// <summary>Admit, act, complete: what the agent's order loop does.</summary>
    private static OrderAdmission Obey(OrderGate gate, AgentOrder order, bool succeeded = true)
    {
        var admission = gate.Admit(order);
        if (admission.MayAct)
        {
            gate.Complete(order, $"result-{order.OrderId}", succeeded);
        }

        return admission;
    }

    [Fact]
    public void Admit_FirstOrder_IsAcceptedWithStateToPersistNamingIt()
    {
        var gate = new OrderGate();

        var admission = gate.Admit(Stop(1, 1));

        Assert.Equal(GateVerdict.Accepted, admission.Verdict);
        Assert.NotNull(admission.StateToPersist);
        Assert.Equal(new OrderStamp(1, 1), admission.StateToPersist.Highest);
        Assert.Equal("stop-1-1", Assert.Single(admission.StateToPersist.Accepted).OrderId);
    }

    [Fact]
    public void Admit_OlderEpoch_IsStale()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(5, 1));

        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(4, 99)).Verdict);
        Assert.Equal(new OrderStamp(5, 1), gate.Highest);
    }

    [Fact]
    public void Admit_LowerSequenceOfSameEpoch_IsStale()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(5, 3));

        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(5, 2)).Verdict);
    }

    [Fact]
    public void Admit_NewEpochWithLowSequence_IsAccepted()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(5, 300));

        Assert.Equal(GateVerdict.Accepted, gate.Admit(Stop(6, 1)).Verdict);
        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(5, 301)).Verdict);
    }

    [Fact]
    public void Admit_DuplicateOfFinishedOrder_ReturnsRememberedResultWithoutRedoing()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(2, 1));
        Obey(gate, Stop(2, 2));

        var retry = gate.Admit(Stop(2, 1));

        Assert.Equal(GateVerdict.AlreadyDone, retry.Verdict);
        Assert.False(retry.MayAct);
        Assert.Equal("result-stop-2-1", retry.RememberedResultId);
    }

    [Fact]
    public void Admit_DuplicateWhileRunning_IsInProgress()
    {
        var gate = new OrderGate();
        gate.Admit(Stop(2, 1));

        Assert.Equal(GateVerdict.InProgress, gate.Admit(Stop(2, 1)).Verdict);
    }

    [Fact]
    public void Admit_SameStampOtherOrderId_IsConflicting()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(2, 1));

        Assert.Equal(GateVerdict.Conflicting, gate.Admit(Stop(2, 1, id: "someone-else")).Verdict);
    }

    [Fact]
    public void Admit_StartWhileSelfFenced_IsRefusedUntilAnUnfenceSucceeds()
    {
        var gate = new OrderGate();
        gate.EnterSelfFence();

        Assert.Equal(GateVerdict.SelfFenced, gate.Admit(Start(3, 1)).Verdict);
        Assert.Equal(GateVerdict.Accepted, Obey(gate, Stop(3, 2)).Verdict);
        Assert.Equal(GateVerdict.Accepted, Obey(gate, Unfence(3, 3), succeeded: false).Verdict);
        Assert.Equal(GateVerdict.SelfFenced, gate.Admit(Start(3, 4)).Verdict);

        Assert.Equal(GateVerdict.Accepted, Obey(gate, Unfence(3, 5)).Verdict);

        Assert.False(gate.SelfFenced);
        Assert.Equal(GateVerdict.Accepted, gate.Admit(Start(3, 6)).Verdict);
    }

    [Fact]
    public void Admit_StartStampedBeforeTheUnfence_StaysRefusedAfterIt()
    {
        // The model's UNFENCE_WITHOUT_KILL race: a start sent before the host went silent arrives after the unfence.
        var gate = new OrderGate();
        gate.EnterSelfFence();
        Obey(gate, Unfence(3, 5));

        Assert.Equal(GateVerdict.Stale, gate.Admit(Start(3, 4)).Verdict);
    }

    [Fact]
    public void Admit_Refused_ChangesNothing()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(4, 4));
        gate.EnterSelfFence();
        var before = OrderGateStateSerializer.Serialize(gate.Snapshot());

        gate.Admit(Stop(3, 9));
        gate.Admit(Start(4, 5));
        gate.Admit(Stop(4, 4, id: "other"));

        Assert.Equal(before, OrderGateStateSerializer.Serialize(gate.Snapshot()));
    }

    [Fact]
    public void ObserveEpoch_NewerLeader_RefusesOlderLeadersOrdersBeforeAnyNewOrder()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(1, 1));

        Assert.NotNull(gate.ObserveEpoch(2));
        Assert.Null(gate.ObserveEpoch(2));

        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(1, 2)).Verdict);
        Assert.Equal(GateVerdict.Accepted, gate.Admit(Stop(2, 1)).Verdict);
    }

    [Fact]
    public void Restore_AfterRestart_KeepsHighestStampSelfFenceAndResults()
    {
        var gate = new OrderGate();
        Obey(gate, Stop(7, 1));
        Obey(gate, Stop(7, 2));
        var persisted = OrderGateStateSerializer.Serialize(gate.EnterSelfFence());

        Assert.True(OrderGateStateSerializer.TryDeserialize(persisted, out var state));
        var restarted = new OrderGate(state);

        Assert.Equal(new OrderStamp(7, 2), restarted.Highest);
        Assert.True(restarted.SelfFenced);
        Assert.Equal(GateVerdict.Stale, restarted.Admit(Stop(6, 50)).Verdict);
        Assert.Equal(GateVerdict.SelfFenced, restarted.Admit(Start(7, 3)).Verdict);
        var retry = restarted.Admit(Stop(7, 1));
        Assert.Equal(GateVerdict.AlreadyDone, retry.Verdict);
        Assert.Equal("result-stop-7-1", retry.RememberedResultId);
    }

    [Fact]
    public void Restore_OrderAcceptedButNotFinishedBeforeCrash_IsResumedOnRetry()
    {
        var gate = new OrderGate();
        var persisted = OrderGateStateSerializer.Serialize(gate.Admit(Stop(2, 1)).StateToPersist!);

        Assert.True(OrderGateStateSerializer.TryDeserialize(persisted, out var state));
        var restarted = new OrderGate(state);

        Assert.Equal(GateVerdict.Resumed, restarted.Admit(Stop(2, 1)).Verdict);
        Assert.Equal(GateVerdict.InProgress, restarted.Admit(Stop(2, 1)).Verdict);
        restarted.Complete(Stop(2, 1), "r", succeeded: true);
        Assert.Equal(GateVerdict.AlreadyDone, restarted.Admit(Stop(2, 1)).Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"formatVersion":2,"highest":{"epoch":1,"sequence":1},"selfFenced":false,"accepted":[],"results":[]}""")]
    [InlineData("""{"formatVersion":1,"highest":{"epoch":1,"sequence":1},"selfFenced":false,"accepted":[]}""")]
    public void TryDeserialize_CorruptState_ReturnsFalse(string json) =>
        Assert.False(OrderGateStateSerializer.TryDeserialize(System.Text.Encoding.UTF8.GetBytes(json), out _));

    [Fact]
    public void Complete_ManyOrders_RemembersABoundedNumberOfResults()
    {
        var gate = new OrderGate();
        for (var i = 1; i <= OrderGate.MaxRememberedResults + 50; i++)
        {
            Obey(gate, Stop(1, i));
        }

        Assert.Equal(OrderGate.MaxRememberedResults, gate.Snapshot().Results.Count);
        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(1, 1)).Verdict);
        Assert.Equal(GateVerdict.AlreadyDone, gate.Admit(Stop(1, OrderGate.MaxRememberedResults + 50)).Verdict);
    }

    [Fact]
    public void Restore_StateWhoseHighestIsBelowAKnownOrder_RaisesTheFloorToIt()
    {
        var state = OrderGateState.Initial with
        {
            Highest = new OrderStamp(1, 1),
            Results = [new RememberedResult(new OrderStamp(4, 2), "stop-4-2", "r")],
        };

        var gate = new OrderGate(state);

        Assert.Equal(new OrderStamp(4, 2), gate.Highest);
        Assert.Equal(GateVerdict.Stale, gate.Admit(Stop(4, 1)).Verdict);
    }
}
