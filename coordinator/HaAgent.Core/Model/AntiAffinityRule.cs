namespace HaAgent.Core.Model;

/// <summary>No two of the VMs share a failure domain at <paramref name="Level"/> (Host: never on one host).</summary>
public sealed record AntiAffinityRule(string Name, RuleStrength Strength, IReadOnlyList<string> VmIds, FailureDomainLevel Level)
    : PlacementRule(Name, Strength, VmIds);
