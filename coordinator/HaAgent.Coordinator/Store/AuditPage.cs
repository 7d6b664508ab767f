namespace HaAgent.Coordinator.Store;

/// <summary>Oldest first; <see cref="HasMore"/> says another page follows the last entry.</summary>
internal sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, bool HasMore);
