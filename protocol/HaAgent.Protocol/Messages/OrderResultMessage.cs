namespace HaAgent.Protocol.Messages;

/// <summary>What came of one order. Evidence is present only for fence (and unfence) results.</summary>
/// <param name="FailureKind">Set when <see cref="Outcome"/> is not <see cref="OrderOutcome.Succeeded"/>.</param>
public sealed record OrderResultMessage(
    string HostId,
    long Incarnation,
    string OrderId,
    OrderStamp Stamp,
    OrderOutcome Outcome,
    CephBlocklistEvidence? Ceph,
    IReadOnlyList<IscsiKeysEvidence> Iscsi,
    FailureKind? FailureKind,
    string? FailureMessage) : AgentMessage(HostId, Incarnation);
