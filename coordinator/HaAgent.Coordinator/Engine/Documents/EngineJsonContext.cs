using System.Text.Json;
using System.Text.Json.Serialization;

namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>Source-generated JSON of the engine's own documents and audit entries (camelCase).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SnapshotDocument))]
[JsonSerializable(typeof(VmShardDocument))]
[JsonSerializable(typeof(AgentDocument))]
[JsonSerializable(typeof(EngineAuditDocument))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
