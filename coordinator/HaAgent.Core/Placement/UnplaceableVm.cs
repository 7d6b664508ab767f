namespace HaAgent.Core.Placement;

/// <summary>A VM the planner could not place, with the reason per excluded host class.</summary>
public sealed record UnplaceableVm(string VmId, string Reason, IReadOnlyDictionary<string, int> RejectedHosts);
