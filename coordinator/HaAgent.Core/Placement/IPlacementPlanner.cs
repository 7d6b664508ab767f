namespace HaAgent.Core.Placement;

/// <summary>
/// Decides where VMs restart. Pure: the same request gives the same plan (ties broken by host id), so the
/// simulator's golden logs are stable and a dry run shows exactly what a real failure would do.
/// </summary>
public interface IPlacementPlanner
{
    PlacementPlan Plan(PlacementRequest request);
}
