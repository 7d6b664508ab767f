using System.Text.Json.Serialization;

namespace HaAgent.Agent.Restart;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CommandJournalFile))]
internal sealed partial class CommandJournalJsonContext : JsonSerializerContext;
