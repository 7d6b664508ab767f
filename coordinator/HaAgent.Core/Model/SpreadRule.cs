namespace HaAgent.Core.Model;

/// <summary>The VMs are spread as evenly as possible across the domains of <paramref name="Level"/>.</summary>
public sealed record SpreadRule(string Name, RuleStrength Strength, IReadOnlyList<string> VmIds, FailureDomainLevel Level)
    : PlacementRule(Name, Strength, VmIds);
