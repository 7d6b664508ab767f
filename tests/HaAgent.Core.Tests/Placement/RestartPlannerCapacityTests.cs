namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerCapacityTests
{
    [Fact]
    public void Plan_HostWithoutEnoughMemory_IsNotChosen()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 4096).Running("busy", "h1", memoryMiB: 3072)
            .Host("h2", memoryMiB: 4096)
            .ToPlace("vm", memoryMiB: 2048)
            .Plan();

        Assert.Equal("h2", plan.HostOf("vm"));
        Assert.Equal(1, plan.Decision("vm").RejectedHosts["no capacity: memory"]);
    }

    [Fact]
    public void Plan_HostWithoutEnoughCpus_IsNotChosen()
    {
        var plan = new ClusterBuilder()
            .Host("h1", cpus: 4, memoryMiB: 1 << 20)
            .Host("h2", cpus: 16, memoryMiB: 4096)
            .ToPlace("vm", cpus: 8, memoryMiB: 1024)
            .Plan();

        Assert.Equal("h2", plan.HostOf("vm"));
        Assert.Equal(1, plan.Decision("vm").RejectedHosts["no capacity: cpu"]);
    }

    [Fact]
    public void Plan_VmsPlacedEarlierInThePlan_UseCapacity()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 4096)
            .Host("h2", memoryMiB: 4096)
            .ToPlace("a", memoryMiB: 3000)
            .ToPlace("b", memoryMiB: 3000)
            .ToPlace("c", memoryMiB: 3000)
            .Plan();

        Assert.NotEqual(plan.HostOf("a"), plan.HostOf("b"));
        Assert.Contains("no capacity", plan.Unplaced("c").Reason);
        Assert.Equal(2, plan.Unplaced("c").RejectedHosts["no capacity: memory"]);
    }

    [Fact]
    public void Plan_CapacityShort_HighPriorityPlacedAndLowPriorityReportedNoCapacity()
    {
        // Listed low first: the planner must order by priority, not by input order.
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 8192)
            .ToPlace("low", memoryMiB: 6000, priority: 1)
            .ToPlace("high", memoryMiB: 6000, priority: 10)
            .Plan();

        Assert.Equal("h1", plan.HostOf("high"));
        var low = plan.Unplaced("low");
        Assert.Contains("no capacity: memory", low.Reason);
        Assert.Equal(1, low.RejectedHosts["no capacity: memory"]);
    }

    [Fact]
    public void Plan_PlacedVms_AreListedInStartOrderPriorityThenId()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .ToPlace("b", priority: 1)
            .ToPlace("c", priority: 5)
            .ToPlace("a", priority: 1)
            .Plan();

        Assert.Equal(["c", "a", "b"], plan.Placed.Select(d => d.VmId));
    }

    [Fact]
    public void Plan_AmongFeasibleHosts_PicksMostFreeMemory()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 16384).Running("x", "h1", memoryMiB: 8192)
            .Host("h2", memoryMiB: 16384).Running("y", "h2", memoryMiB: 2048)
            .Host("h3", memoryMiB: 16384).Running("z", "h3", memoryMiB: 4096)
            .ToPlace("vm")
            .Plan();

        Assert.Equal("h2", plan.HostOf("vm"));
    }
}
