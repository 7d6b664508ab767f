using System.Text.Json;
using System.Text.Json.Serialization;

namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>
/// Source-generated JSON for every API body. Unknown members are rejected so a typo ("memoryMb") fails loudly
/// instead of silently keeping the old value; names are case-sensitive and a member may appear once, so
/// {"CPUS":1,"cpus":2} cannot mean two things to two readers (the fuzz test found that the Web defaults accept it).
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    PropertyNameCaseInsensitive = false,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 16)]
[JsonSerializable(typeof(HostRequest))]
[JsonSerializable(typeof(HostDocument))]
[JsonSerializable(typeof(Page<HostDocument>))]
[JsonSerializable(typeof(VmRequest))]
[JsonSerializable(typeof(VmDocument))]
[JsonSerializable(typeof(Page<VmDocument>))]
[JsonSerializable(typeof(RuleRequest))]
[JsonSerializable(typeof(RuleDocument))]
[JsonSerializable(typeof(Page<RuleDocument>))]
[JsonSerializable(typeof(AuditRecordDocument))]
[JsonSerializable(typeof(AuditPageResponse))]
[JsonSerializable(typeof(WhatIfRequest))]
[JsonSerializable(typeof(WhatIfResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(VmPriorityRequest))]
[JsonSerializable(typeof(VmGroupRequest))]
[JsonSerializable(typeof(FencePageResponse))]
[JsonSerializable(typeof(GroupResponse))]
[JsonSerializable(typeof(Page<GroupSummary>))]
[JsonSerializable(typeof(VmDefinitionResponse))]
[JsonSerializable(typeof(DefinitionDigest))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
