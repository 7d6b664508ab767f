using System.Text.Json;

namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>
/// What the API writes to the audit log per mutation: the action, the document key, who (token name and role, never
/// the secret) and the document before and after (null when absent).
/// </summary>
internal sealed record AuditRecordDocument(string Action, string Subject, string Actor, string Role, JsonElement? Before, JsonElement? After);
