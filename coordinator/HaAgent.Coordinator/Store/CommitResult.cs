namespace HaAgent.Coordinator.Store;

/// <summary>
/// Outcome of an all-or-nothing batch. Committed: every write applied at <see cref="Revision"/> (the new version of
/// every put document) and the audit record, if any, got <see cref="AuditSequence"/>. Otherwise nothing applied and
/// <see cref="Conflicts"/> lists each document whose version was not the expected one, with its current version.
/// </summary>
internal sealed record CommitResult(bool Committed, long Revision, long? AuditSequence, IReadOnlyList<VersionConflict> Conflicts);
