using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.NativeInterop.Tests.Iscsi;

/// <summary>
/// Both answers to PREEMPT AND ABORT: tgt refuses it (covered end to end in <see cref="IscsiFencingTests"/>), LIO and
/// arrays accept it — no such target runs here, so the decision on the typed outcome is tested directly.
/// </summary>
public sealed class PreemptFallbackTests
{
    [Fact]
    public void Decide_Good_IsDoneWithoutFallback() =>
        Assert.Equal(PreemptAndAbortDecision.Done, PreemptFallback.Decide(ScsiOutcome.Good));

    [Theory]
    [InlineData(0x24, 0x00)] // tgt: INVALID FIELD IN CDB
    [InlineData(0x20, 0x00)] // INVALID COMMAND OPERATION CODE
    [InlineData(0x26, 0x00)] // INVALID FIELD IN PARAMETER LIST: PREEMPT then fails the same way, typed
    public void Decide_IllegalRequest_FallsBackToPreempt(byte asc, byte ascq) =>
        Assert.Equal(
            PreemptAndAbortDecision.FallBackToPreempt,
            PreemptFallback.Decide(new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.IllegalRequest, asc, ascq)));

    [Fact]
    public void Decide_UnitAttention_RetriesTheSameCommand() =>
        Assert.Equal(
            PreemptAndAbortDecision.Retry,
            PreemptFallback.Decide(new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.UnitAttention, 0x2a, 0x03)));

    [Theory]
    [InlineData(ScsiStatus.ReservationConflict, ScsiSenseKey.NoSense)]
    [InlineData(ScsiStatus.Busy, ScsiSenseKey.NoSense)]
    [InlineData(ScsiStatus.TaskSetFull, ScsiSenseKey.NoSense)]
    [InlineData(ScsiStatus.CheckCondition, ScsiSenseKey.NotReady)]
    [InlineData(ScsiStatus.CheckCondition, ScsiSenseKey.HardwareError)]
    public void Decide_AnythingElse_FailsTheFence(ScsiStatus status, ScsiSenseKey key) =>
        Assert.Equal(PreemptAndAbortDecision.Fail, PreemptFallback.Decide(new ScsiOutcome(status, key)));

    [Fact]
    public void ScsiOutcome_ToString_NamesStatusSenseAndCodes()
    {
        Assert.Equal("GOOD", ScsiOutcome.Good.ToString());
        Assert.Equal("RESERVATION CONFLICT", new ScsiOutcome(ScsiStatus.ReservationConflict).ToString());
        Assert.Equal("CHECK CONDITION ILLEGAL REQUEST 24/00", new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.IllegalRequest, 0x24, 0).ToString());
        Assert.Equal(0x2a03, new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.UnitAttention, 0x2a, 0x03).AdditionalSense);
    }

    [Fact]
    public void ScsiCommandExceptionFor_MapsConflictAndAttentionToTheirOwnTypes()
    {
        Assert.IsType<ReservationConflictException>(ScsiCommandException.For("f", new ScsiOutcome(ScsiStatus.ReservationConflict)));
        Assert.IsType<UnitAttentionException>(ScsiCommandException.For("f", new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.UnitAttention, 0x29, 0)));
        var other = ScsiCommandException.For("f", new ScsiOutcome(ScsiStatus.CheckCondition, ScsiSenseKey.IllegalRequest, 0x24, 0));
        Assert.IsType<ScsiCommandException>(other);
        Assert.IsAssignableFrom<NativeCallException>(other);
        Assert.Equal("f", other.Function);
    }
}
