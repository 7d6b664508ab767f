namespace HaAgent.Coordinator.Store;

/// <summary>One audit record: the epoch of the leader that wrote it and when.</summary>
internal sealed record AuditEntry(long Sequence, long Epoch, DateTimeOffset RecordedAt, ReadOnlyMemory<byte> Payload);
