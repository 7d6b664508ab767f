using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>A host as the planner sees it at planning time.</summary>
/// <param name="Eligible">False for hosts that must not receive VMs (suspect, dead, fenced, in maintenance).</param>
/// <param name="IneligibleReason">Why not, for the explanation ("in maintenance", "dead").</param>
/// <param name="UsedCpus">vCPUs already taken by VMs running there (not counting this plan).</param>
/// <param name="UsedMemoryMiB">Memory already taken by VMs running there (not counting this plan).</param>
public sealed record PlacementHost(
    HostSpec Spec,
    bool Eligible,
    string? IneligibleReason,
    int UsedCpus,
    long UsedMemoryMiB);
