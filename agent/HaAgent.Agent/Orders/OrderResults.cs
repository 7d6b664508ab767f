using HaAgent.Agent.Fencing;
using HaAgent.Agent.Restart;
using HaAgent.Protocol;
using HaAgent.Protocol.Messages;

namespace HaAgent.Agent.Orders;

/// <summary>Maps the executors' reports to protocol results: outcome, failure kind, and the read-back evidence.</summary>
internal static class OrderResults
{
    public static OrderResultMessage Make(
        string hostId, long incarnation, AgentOrder order, OrderOutcome outcome, FailureKind? kind, string? message,
        CephBlocklistEvidence? ceph = null, IReadOnlyList<IscsiKeysEvidence>? iscsi = null) =>
        new(hostId, incarnation, order.OrderId, order.Stamp, outcome, ceph, iscsi ?? [],
            outcome == OrderOutcome.Succeeded ? null : kind ?? FailureKind.Internal,
            message is null ? null : Text(message));

    public static (OrderOutcome Outcome, FailureKind? Kind) Of(IReadOnlyList<FenceFailure> failures)
    {
        if (failures.Count == 0)
        {
            return (OrderOutcome.Succeeded, null);
        }
        var first = failures[0].Kind;
        return first == FenceFailureKind.StaleToken
            ? (OrderOutcome.Refused, FailureKind.StaleStamp)
            : (OrderOutcome.Failed, first switch
            {
                FenceFailureKind.Timeout => FailureKind.Timeout,
                FenceFailureKind.Unreachable => FailureKind.StorageUnreachable,
                FenceFailureKind.PermissionDenied or FenceFailureKind.StorageRefused or FenceFailureKind.NotRegistered => FailureKind.StorageRefused,
                FenceFailureKind.ProofMissing => FailureKind.Unverified,
                FenceFailureKind.LeftoverVmsRunning => FailureKind.HypervisorError,
                _ => FailureKind.Internal,
            });
    }

    public static (OrderOutcome Outcome, FailureKind? Kind) Of(VmOrderFailure? failure) => failure?.Kind switch
    {
        null => (OrderOutcome.Succeeded, null),
        VmOrderFailureKind.StaleToken => (OrderOutcome.Refused, FailureKind.StaleStamp),
        VmOrderFailureKind.SelfFenced => (OrderOutcome.Refused, FailureKind.SelfFenced),
        VmOrderFailureKind.ImageLocked => (OrderOutcome.Failed, FailureKind.StorageRefused),
        VmOrderFailureKind.Timeout => (OrderOutcome.Failed, FailureKind.Timeout),
        VmOrderFailureKind.NotConfirmed => (OrderOutcome.Failed, FailureKind.Unverified),
        VmOrderFailureKind.InvalidOrder => (OrderOutcome.Failed, FailureKind.Internal),
        _ => (OrderOutcome.Failed, FailureKind.HypervisorError),
    };

    public static CephBlocklistEvidence? CephEvidence(IEnumerable<FenceProof> proofs) =>
        proofs.OfType<CephBlocklistProof>().FirstOrDefault() is { } proof
            ? new CephBlocklistEvidence(proof.BlocklistEpoch, proof.ObservedEpoch, [.. proof.Entries.Select(e => e.Address)])
            : null;

    public static IReadOnlyList<IscsiKeysEvidence> IscsiEvidence(IEnumerable<FenceProof> proofs) =>
    [
        .. proofs.Select(p => p switch
        {
            IscsiKeysProof keys => new IscsiKeysEvidence(keys.TargetIqn, keys.Lun, [.. keys.RegisteredKeys.Select(Key)]),
            IscsiRegisteredProof registered => new IscsiKeysEvidence(registered.TargetIqn, registered.Lun, [.. registered.RegisteredKeys.Select(Key)]),
            _ => null,
        }).OfType<IscsiKeysEvidence>(),
    ];

    public static string Key(ulong key) => $"0x{key:X16}";

    /// <summary>Free text as the protocol takes it: no control characters (they could forge audit lines), bounded length.</summary>
    public static string Text(string text)
    {
        var clean = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length <= ProtocolLimits.MaxTextChars ? clean : clean[..(ProtocolLimits.MaxTextChars - 1)] + "…";
    }
}
