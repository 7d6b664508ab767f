namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>One decision (HaAgent.Core AuditRecord) as written to the audit log; <see cref="Kind"/> in kebab case ("fence-verified").</summary>
internal sealed record EngineAuditRecordDocument(DateTimeOffset Time, string Kind, string Subject, string Decision, string Evidence);
