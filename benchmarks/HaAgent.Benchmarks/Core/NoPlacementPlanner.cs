using HaAgent.Core.Placement;

namespace HaAgent.Benchmarks.Core;

/// <summary>A planner a healthy cluster never needs; being called means the benchmark measures the wrong thing.</summary>
public sealed class NoPlacementPlanner : IPlacementPlanner
{
    public PlacementPlan Plan(PlacementRequest request) => throw new InvalidOperationException("nothing to place in a healthy cluster");
}
