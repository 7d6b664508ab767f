namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>
/// <c>engine/snapshot</c>: what a successor leader starts from (HaCoordinator.Snapshot()). The per-VM part
/// (placement, released VMs) lives in <see cref="VmShards"/> documents <c>engine/vms/NNN</c> (by a stable hash of
/// the VM id), so a 200 000-VM cluster (≈ 5 MB of JSON) fits the store's 1 MiB per value and per commit, and a step
/// rewrites only the shards it changed.
/// </summary>
/// <param name="AuditSequence">The newest audit entry this leader had read before the commit: a successor reads API changes from here on.</param>
/// <param name="Fenced">Hosts fenced and not unfenced yet, with what was cut.</param>
/// <param name="Fencing">
/// Fences ordered and not yet verified or given up, by victim: a successor continues them at once under its own token.
/// Absent when none (and in snapshots of engines before it: a reader then judges such a host from its own term start).
/// Additive, so the format version stays 1: an older engine ignores it and keeps its old, slower behaviour.
/// </param>
internal sealed record SnapshotDocument(
    int FormatVersion,
    long Epoch,
    long AuditSequence,
    int VmShards,
    Dictionary<string, List<FenceTargetDocument>> Fenced,
    Dictionary<string, FenceInProgressDocument>? Fencing = null)
{
    public const int CurrentFormatVersion = 1;
}
