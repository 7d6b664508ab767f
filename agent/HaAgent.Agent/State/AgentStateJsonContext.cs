using System.Text.Json.Serialization;

namespace HaAgent.Agent.State;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AgentState))]
internal sealed partial class AgentStateJsonContext : JsonSerializerContext;
