using HaAgent.Core.Coordination;
using HaAgent.Core.Model;

namespace HaAgent.Simulator.Scenario;

/// <summary>A parsed <c>cluster</c> file: hosts, VMs and where they run, rules, and option overrides.</summary>
internal sealed class SimCluster
{
    public List<HostSpec> Hosts { get; } = [];
    public List<HostFenceIdentity> Identities { get; } = [];
    public List<VmSpec> Vms { get; } = [];
    public List<PlacementRule> Rules { get; } = [];
    public Dictionary<string, string> Placement { get; } = new(StringComparer.Ordinal);
    public CoordinatorOptions Coordinator { get; } = new();
    public SimSettings Settings { get; } = new();

    public HaCluster ToHaCluster() => new(Hosts, Identities, Vms, Rules, Placement);
}
