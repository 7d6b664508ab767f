using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>What the coordinator starts from: configuration plus the state a previous leader persisted.</summary>
/// <param name="Placement">VM id → host id; a VM missing here is adopted when an agent reports it running.</param>
/// <param name="Fenced">
/// Hosts a previous leader fenced and never unfenced, with what was cut. They start as fenced (receive nothing) and go
/// through the return path (leftovers stopped, then unfenced) when heard. Null or missing hosts start healthy.
/// </param>
/// <param name="Released">VMs a previous leader proved stopped (released) but had not restarted yet: they start pending.</param>
/// <param name="Fencing">
/// Fences a previous leader ordered and had not seen verified or given up, by victim (also listed in
/// <paramref name="Fenced"/> with its VMs still placed on it). Continued at the first leading step under this leader's
/// token. A mid-fence host missing here (an older snapshot) is judged like a failed round: fenced again only after
/// <see cref="CoordinatorOptions.NetworkDeadAfter"/> of silence seen by this coordinator.
/// </param>
public sealed record HaCluster(
    IReadOnlyList<HostSpec> Hosts,
    IReadOnlyList<HostFenceIdentity> FenceIdentities,
    IReadOnlyList<VmSpec> Vms,
    IReadOnlyList<PlacementRule> Rules,
    IReadOnlyDictionary<string, string> Placement,
    IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>>? Fenced = null,
    IReadOnlyList<string>? Released = null,
    IReadOnlyDictionary<string, FenceInProgress>? Fencing = null);
