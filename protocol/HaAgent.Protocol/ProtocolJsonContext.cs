using System.Text.Json.Serialization;
using HaAgent.Protocol.Gate;
using HaAgent.Protocol.Messages;

namespace HaAgent.Protocol;

/// <summary>
/// Source-generated serialisers (the agent is NativeAOT: no reflection). Strict on input: a missing constructor
/// parameter, a null where the contract says non-null, an unknown property or an integer enum is malformed.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = ProtocolLimits.MaxJsonDepth,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProtocolMessage))]
[JsonSerializable(typeof(OrderGateState))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
