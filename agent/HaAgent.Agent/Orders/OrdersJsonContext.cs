using System.Text.Json.Serialization;

namespace HaAgent.Agent.Orders;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredResult[]))]
internal sealed partial class OrdersJsonContext : JsonSerializerContext;
