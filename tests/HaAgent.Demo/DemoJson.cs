using System.Text.Json.Serialization;

namespace HaAgent.Demo;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>[]))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class DemoJson : JsonSerializerContext;
