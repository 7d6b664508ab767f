namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>A placement rule as stored (key <c>rules/&lt;name&gt;</c>) and as returned.</summary>
internal sealed record RuleDocument(
    string Name,
    string Kind,
    string Strength,
    IReadOnlyList<string> VmIds,
    string? Level,
    IReadOnlyList<string>? HostIds,
    long Version = 0);
