namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>One persisted fence target: kind "ceph-blocklist" (addresses) or "iscsi-preempt" (target, lun, victimKey).</summary>
internal sealed record FenceTargetDocument(string Kind, List<string>? Addresses, string? Target, int? Lun, string? VictimKey);
