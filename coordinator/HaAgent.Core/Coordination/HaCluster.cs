using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>What the coordinator starts from: configuration plus where each VM was last known to run.</summary>
/// <param name="Placement">VM id → host id; a VM missing here is adopted when an agent reports it running.</param>
public sealed record HaCluster(
    IReadOnlyList<HostSpec> Hosts,
    IReadOnlyList<HostFenceIdentity> FenceIdentities,
    IReadOnlyList<VmSpec> Vms,
    IReadOnlyList<PlacementRule> Rules,
    IReadOnlyDictionary<string, string> Placement);
