namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Body of VM create (POST, id required) and update (PUT). <see cref="Host"/> is where the VM runs now, when known.</summary>
internal sealed record VmRequest(
    string? Id,
    int? Cpus,
    long? MemoryMiB,
    IReadOnlyList<string?>? Volumes,
    int? Priority,
    string? Group,
    bool? Protected,
    string? Host);
