namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>A VM as stored (key <c>vms/&lt;id&gt;</c>) and as returned.</summary>
internal sealed record VmDocument(
    string Id,
    int Cpus,
    long MemoryMiB,
    IReadOnlyList<string> Volumes,
    int Priority,
    string? Group,
    bool Protected,
    string? Host,
    long Version = 0);
