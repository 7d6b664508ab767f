using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

/// <summary>Small clusters for planner tests: hosts, running VMs (which use host capacity), VMs to place, rules.</summary>
internal sealed class ClusterBuilder
{
    private readonly List<(HostSpec Spec, bool Eligible, string? Why)> _hosts = [];
    private readonly Dictionary<string, (int Cpus, long Memory)> _used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VmSpec> _runningSpecs = new(StringComparer.Ordinal);
    private readonly List<VmSpec> _toPlace = [];
    private readonly List<PlacementRule> _rules = [];

    public ClusterBuilder Host(
        string id,
        int cpus = 32,
        long memoryMiB = 65536,
        string rack = "r1",
        string power = "p1",
        string zone = "z1",
        bool eligible = true,
        string? ineligibleReason = null)
    {
        _hosts.Add((new HostSpec(id, cpus, memoryMiB, new FailureDomains(rack, power, zone)), eligible, ineligibleReason));
        _used[id] = (0, 0);
        return this;
    }

    /// <summary>A VM that runs on <paramref name="hostId"/> and uses its capacity.</summary>
    public ClusterBuilder Running(string vmId, string hostId, int cpus = 1, long memoryMiB = 1024)
    {
        var spec = new VmSpec(vmId, cpus, memoryMiB, []);
        _running[vmId] = hostId;
        _runningSpecs[vmId] = spec;
        var (usedCpus, usedMemory) = _used[hostId];
        _used[hostId] = (usedCpus + cpus, usedMemory + memoryMiB);
        return this;
    }

    public ClusterBuilder ToPlace(string vmId, int cpus = 1, long memoryMiB = 1024, int priority = 0)
    {
        _toPlace.Add(new VmSpec(vmId, cpus, memoryMiB, [], priority));
        return this;
    }

    public ClusterBuilder Rule(PlacementRule rule)
    {
        _rules.Add(rule);
        return this;
    }

    public PlacementRequest Build(int maxStartsPerHost = int.MaxValue) => new(
        [.. _hosts.Select(h => new PlacementHost(h.Spec, h.Eligible, h.Why, _used[h.Spec.Id].Cpus, _used[h.Spec.Id].Memory))],
        new Dictionary<string, string>(_running, StringComparer.Ordinal),
        new Dictionary<string, VmSpec>(_runningSpecs, StringComparer.Ordinal),
        [.. _toPlace],
        [.. _rules],
        maxStartsPerHost);

    public PlacementPlan Plan(int maxStartsPerHost = int.MaxValue) => new RestartPlanner().Plan(Build(maxStartsPerHost));
}
