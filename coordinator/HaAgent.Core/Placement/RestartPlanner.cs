namespace HaAgent.Core.Placement;

/// <summary>
/// The restart placement planner. VMs are placed one at a time, highest priority first (ties by VM id), except that
/// the members of a hard affinity group are placed together on one host. For each VM every host is checked
/// against hard constraints (eligibility, start limit, memory, cpu, pinning, hard affinity, hard anti-affinity,
/// hard spread); among the hosts that pass, the winner keeps the most soft rules, then has the fewest members of
/// the VM's spread rules in its domain, then the most free memory after the start, then the lowest host id (ordinal).
/// Rules count both the VMs already running and the VMs placed earlier in the same plan.
/// </summary>
/// <remarks>
/// Capacity comes from <see cref="PlacementHost.UsedCpus"/> and <see cref="PlacementHost.UsedMemoryMiB"/>; the
/// planner does not re-add <see cref="PlacementRequest.RunningSpecs"/>. Stateless: one instance may be shared.
/// </remarks>
public sealed class RestartPlanner : IPlacementPlanner
{
    /// <exception cref="ArgumentException">Two hosts share an id.</exception>
    public PlacementPlan Plan(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new PlanningSession(request).Run();
    }
}
