namespace HaAgent.Core.Placement;

/// <summary>The planner's answer: placements in start order (highest priority first) and the VMs left down.</summary>
public sealed record PlacementPlan(IReadOnlyList<PlacementDecision> Placed, IReadOnlyList<UnplaceableVm> Unplaced);
