using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

internal static class PlanAssert
{
    public static string HostOf(this PlacementPlan plan, string vmId) =>
        Assert.Single(plan.Placed, d => d.VmId == vmId).HostId;

    public static PlacementDecision Decision(this PlacementPlan plan, string vmId) =>
        Assert.Single(plan.Placed, d => d.VmId == vmId);

    public static UnplaceableVm Unplaced(this PlacementPlan plan, string vmId)
    {
        Assert.DoesNotContain(plan.Placed, d => d.VmId == vmId);
        return Assert.Single(plan.Unplaced, u => u.VmId == vmId);
    }

    /// <summary>A stable text of the whole plan, to compare plans for equality.</summary>
    public static string Render(this PlacementPlan plan)
    {
        var lines = new List<string>();
        foreach (var d in plan.Placed)
        {
            lines.Add($"{d.VmId} -> {d.HostId} | {d.Why} | broken: {string.Join(",", d.SoftRulesBroken)} | {Counts(d.RejectedHosts)}");
        }
        foreach (var u in plan.Unplaced)
        {
            lines.Add($"{u.VmId} DOWN | {u.Reason} | {Counts(u.RejectedHosts)}");
        }
        return string.Join("\n", lines);
    }

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}
