namespace HaAgent.Core.Model;

/// <summary>The VMs run on the same host.</summary>
public sealed record AffinityRule(string Name, RuleStrength Strength, IReadOnlyList<string> VmIds)
    : PlacementRule(Name, Strength, VmIds);
