namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>
/// <c>engine/snapshot</c>: what a successor leader starts from (HaCoordinator.Snapshot()) minus the placement, which
/// lives in <see cref="PlacementShards"/> documents <c>engine/placement/NN</c> written in the same commit, so a
/// 200 000-VM placement (≈ 8 MB of JSON) never meets the store's 1 MiB value limit and a step rewrites only the
/// shards it changed.
/// </summary>
/// <param name="AuditSequence">The newest audit entry this leader had read or written before the commit: a successor reads API changes from here on.</param>
internal sealed record SnapshotDocument(
    int FormatVersion,
    long Epoch,
    long AuditSequence,
    int PlacementShards,
    Dictionary<string, List<FenceTargetDocument>> Fenced,
    List<string> Released)
{
    public const int CurrentFormatVersion = 1;
}
