namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Body of host register (POST, id required) and update (PUT, id from the route; must match if given).</summary>
internal sealed record HostRequest(string? Id, int? Cpus, long? MemoryMiB, string? Rack, string? Power, string? Zone);
