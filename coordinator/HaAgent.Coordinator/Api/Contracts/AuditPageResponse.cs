namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Audit entries oldest first; pass <see cref="Next"/> as <c>after</c> for more, null when there is none yet.</summary>
internal sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Items, long? Next);
