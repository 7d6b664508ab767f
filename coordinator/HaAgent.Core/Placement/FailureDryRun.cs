using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>
/// Answers "what happens if host/rack X fails now" without touching anything: the failed hosts become ineligible,
/// the VMs that run there join the VMs to place, and the planner decides. Pure, like the planner.
/// </summary>
public static class FailureDryRun
{
    /// <param name="cluster">
    /// The cluster as it is now: every host with its used capacity, every running VM in
    /// <see cref="PlacementRequest.Running"/> with its spec in <see cref="PlacementRequest.RunningSpecs"/>, the rules,
    /// the start limit. VMs already waiting in <see cref="PlacementRequest.VmsToPlace"/> are planned too.
    /// </param>
    /// <param name="failure">What fails.</param>
    /// <param name="planner">The planner to ask; <see cref="RestartPlanner"/> when null.</param>
    public static FailureDryRunResult Run(PlacementRequest cluster, FailureSet failure, IPlacementPlanner? planner = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(failure);
        planner ??= new RestartPlanner();

        var reason = $"failed in dry run: {failure}";
        var failedHosts = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new PlacementHost[cluster.Hosts.Count];
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = cluster.Hosts[i];
            if (failure.Contains(host.Spec))
            {
                failedHosts.Add(host.Spec.Id);
                host = host with { Eligible = false, IneligibleReason = reason };
            }
            hosts[i] = host;
        }

        var affected = new HashSet<string>(StringComparer.Ordinal);
        var toPlace = new List<VmSpec>(cluster.VmsToPlace);
        var specless = new List<UnplaceableVm>();
        foreach (var (vmId, hostId) in cluster.Running)
        {
            if (!failedHosts.Contains(hostId))
            {
                continue;
            }
            affected.Add(vmId);
            if (cluster.RunningSpecs.TryGetValue(vmId, out var spec))
            {
                toPlace.Add(spec);
            }
            else
            {
                specless.Add(new UnplaceableVm(
                    vmId,
                    $"ran on failed host {hostId} but its spec is unknown, so its size cannot be checked",
                    new Dictionary<string, int>(StringComparer.Ordinal)));
            }
        }

        var request = cluster with
        {
            Hosts = hosts,
            Running = new RunningWithout(cluster.Running, affected),
            VmsToPlace = toPlace,
        };
        var plan = planner.Plan(request);
        if (specless.Count > 0)
        {
            specless.Sort(static (a, b) => string.CompareOrdinal(a.VmId, b.VmId));
            plan = plan with { Unplaced = [.. plan.Unplaced, .. specless] };
        }

        var failedIds = failedHosts.ToList();
        failedIds.Sort(StringComparer.Ordinal);
        var affectedIds = affected.ToList();
        affectedIds.Sort(StringComparer.Ordinal);
        return new FailureDryRunResult(failure, failedIds, affectedIds, plan);
    }
}
