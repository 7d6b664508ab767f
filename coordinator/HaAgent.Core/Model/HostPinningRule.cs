namespace HaAgent.Core.Model;

/// <summary>The VMs run only on the listed hosts.</summary>
public sealed record HostPinningRule(string Name, RuleStrength Strength, IReadOnlyList<string> VmIds, IReadOnlyList<string> HostIds)
    : PlacementRule(Name, Strength, VmIds);
