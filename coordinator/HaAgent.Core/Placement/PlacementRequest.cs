using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>Everything the planner needs to decide where the VMs of failed hosts restart.</summary>
/// <param name="Hosts">Every known host, eligible or not.</param>
/// <param name="Running">Where every VM that is not being placed runs now (VM id → host id); rules are checked against it.</param>
/// <param name="RunningSpecs">Specs of the VMs in <paramref name="Running"/>, for capacity and rules.</param>
/// <param name="VmsToPlace">The VMs to restart, in any order; the planner orders them by priority.</param>
/// <param name="Rules">All placement rules; rules naming VMs not involved are ignored.</param>
/// <param name="MaxStartsPerHost">At most this many VMs are started on one host by one plan (restart storms).</param>
public sealed record PlacementRequest(
    IReadOnlyList<PlacementHost> Hosts,
    IReadOnlyDictionary<string, string> Running,
    IReadOnlyDictionary<string, VmSpec> RunningSpecs,
    IReadOnlyList<VmSpec> VmsToPlace,
    IReadOnlyList<PlacementRule> Rules,
    int MaxStartsPerHost = int.MaxValue);
