using System.Text.Json;

namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>One audit log entry: its sequence number, the writer's epoch, when, and the record itself.</summary>
internal sealed record AuditEntryResponse(long Sequence, long Epoch, DateTimeOffset RecordedAt, JsonElement Record);
