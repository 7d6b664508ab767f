using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Simulator;

/// <summary>
/// A stand-in planner for the simulator until the real RestartPlanner is merged: VMs by priority (then id), each on
/// the first eligible host by id with room that keeps the hard pinning and anti-affinity rules. Soft rules, affinity
/// and spread are ignored. Deterministic, so goldens are stable; switching planners is a golden re-record.
/// </summary>
internal sealed class FirstFitPlanner : IPlacementPlanner
{
    private const string StartLimit = "max starts per host";

    public PlacementPlan Plan(PlacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hosts = request.Hosts.OrderBy(h => h.Spec.Id, StringComparer.Ordinal).ToList();
        var freeCpus = hosts.ToDictionary(h => h.Spec.Id, h => h.Spec.Cpus - h.UsedCpus, StringComparer.Ordinal);
        var freeMemory = hosts.ToDictionary(h => h.Spec.Id, h => h.Spec.MemoryMiB - h.UsedMemoryMiB, StringComparer.Ordinal);
        var starts = hosts.ToDictionary(h => h.Spec.Id, _ => 0, StringComparer.Ordinal);
        var location = new Dictionary<string, string>(request.Running, StringComparer.Ordinal);
        var placed = new List<PlacementDecision>();
        var unplaced = new List<UnplaceableVm>();

        foreach (var vm in request.VmsToPlace.OrderByDescending(v => v.Priority).ThenBy(v => v.Id, StringComparer.Ordinal))
        {
            var rejected = new SortedDictionary<string, int>(StringComparer.Ordinal);
            PlacementHost? chosen = null;
            foreach (var host in hosts)
            {
                var reason = Reject(host, vm, request, location, freeCpus, freeMemory, starts);
                if (reason is null)
                {
                    chosen = host;
                    break;
                }
                rejected[reason] = rejected.GetValueOrDefault(reason) + 1;
            }
            if (chosen is null)
            {
                var reason = rejected.ContainsKey(StartLimit)
                    ? $"hosts with room have reached their start limit ({request.MaxStartsPerHost}) for this round"
                    : $"no host has {vm.Cpus} cpus and {vm.MemoryMiB} MiB free within the hard rules";
                unplaced.Add(new UnplaceableVm(vm.Id, reason, rejected));
                continue;
            }
            var id = chosen.Spec.Id;
            var why = $"first fit: {id} has {freeCpus[id]} cpus and {freeMemory[id]} MiB free";
            freeCpus[id] -= vm.Cpus;
            freeMemory[id] -= vm.MemoryMiB;
            starts[id]++;
            location[vm.Id] = id;
            placed.Add(new PlacementDecision(vm.Id, id, why, [], rejected));
        }
        return new PlacementPlan(placed, unplaced);
    }

    private static string? Reject(
        PlacementHost host,
        VmSpec vm,
        PlacementRequest request,
        Dictionary<string, string> location,
        Dictionary<string, int> freeCpus,
        Dictionary<string, long> freeMemory,
        Dictionary<string, int> starts)
    {
        var id = host.Spec.Id;
        if (!host.Eligible)
        {
            return $"not eligible ({host.IneligibleReason})";
        }
        if (starts[id] >= request.MaxStartsPerHost)
        {
            return StartLimit;
        }
        if (freeCpus[id] < vm.Cpus || freeMemory[id] < vm.MemoryMiB)
        {
            return "not enough cpu or memory";
        }
        foreach (var rule in request.Rules)
        {
            if (rule.Strength != RuleStrength.Hard || !rule.VmIds.Contains(vm.Id))
            {
                continue;
            }
            switch (rule)
            {
                case HostPinningRule pin when !pin.HostIds.Contains(id):
                    return $"pin {pin.Name}";
                case AntiAffinityRule apart:
                    var label = host.Spec.Domains.LabelAt(apart.Level, id);
                    foreach (var other in apart.VmIds)
                    {
                        if (other != vm.Id && location.TryGetValue(other, out var otherHost)
                            && request.Hosts.First(h => h.Spec.Id == otherHost).Spec.Domains.LabelAt(apart.Level, otherHost) == label)
                        {
                            return $"anti-affinity {apart.Name} at {apart.Level.ToString().ToLowerInvariant()}";
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        return null;
    }
}
