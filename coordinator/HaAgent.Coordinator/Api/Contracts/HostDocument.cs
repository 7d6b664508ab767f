namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>A host as stored (key <c>hosts/&lt;id&gt;</c>) and as returned; <see cref="Version"/> is filled from the store on output.</summary>
internal sealed record HostDocument(string Id, int Cpus, long MemoryMiB, string Rack, string Power, string Zone, bool Maintenance, long Version = 0);
