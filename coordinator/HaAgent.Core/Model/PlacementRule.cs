namespace HaAgent.Core.Model;

/// <summary>A constraint on where VMs may run. Each rule names the VMs it binds.</summary>
public abstract record PlacementRule(string Name, RuleStrength Strength, IReadOnlyList<string> VmIds);
