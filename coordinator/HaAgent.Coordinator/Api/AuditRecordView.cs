using System.Text.Json;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// One record inside an audit entry, with its kind and subject normalised so one filter finds the API's records
/// ("host.update", "hosts/h2") and the engine's ("fence-verified", "host h2") about the same thing.
/// </summary>
/// <param name="Kind">kebab-case core kind ("fence-verified") or the API action ("host.update"); null when the record names none.</param>
/// <param name="Subject">"host/h2", "vm/web1", "rule/r1", or the record's own text ("cluster"); null when it names none.</param>
internal readonly record struct AuditRecordView(string? Kind, string? Subject, JsonElement Record);
