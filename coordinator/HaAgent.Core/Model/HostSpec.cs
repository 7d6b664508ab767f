namespace HaAgent.Core.Model;

/// <summary>A hypervisor host as configured: identity, capacity and failure domains. Runtime state lives elsewhere.</summary>
/// <param name="Id">Stable host id, also the agent's identity.</param>
/// <param name="Cpus">vCPUs the host may give to HA-managed VMs.</param>
/// <param name="MemoryMiB">Memory the host may give to HA-managed VMs.</param>
public sealed record HostSpec(string Id, int Cpus, long MemoryMiB, FailureDomains Domains);
