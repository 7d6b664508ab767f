namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>
/// A host as stored (key <c>hosts/&lt;id&gt;</c>) and as returned; <see cref="Version"/> is filled from the store on
/// output. <see cref="Maintenance"/>: place nothing new here. <see cref="Drain"/> (only with maintenance): also move
/// the VMs running here elsewhere — the engine cold-drains (stop here, restart on another host).
/// </summary>
internal sealed record HostDocument(string Id, int Cpus, long MemoryMiB, string Rack, string Power, string Zone, bool Maintenance, long Version = 0, bool Drain = false);
