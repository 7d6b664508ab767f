using HaAgent.Core.Model;

namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerPinningAndSpreadTests
{
    [Fact]
    public void Plan_HardPinning_PlacesOnlyOnAListedHost()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .Host("h2").Running("filler", "h2", memoryMiB: 30000)
            .Host("h3")
            .ToPlace("licensed")
            .Rule(new HostPinningRule("license", RuleStrength.Hard, ["licensed"], ["h2"]))
            .Plan();

        var decision = plan.Decision("licensed");
        Assert.Equal("h2", decision.HostId);
        Assert.Equal(2, decision.RejectedHosts["pinned elsewhere: license"]);
    }

    [Fact]
    public void Plan_HardPinnedHostsAllIneligible_VmLeftDownNamingThePinning()
    {
        var plan = new ClusterBuilder()
            .Host("h1", eligible: false, ineligibleReason: "in maintenance")
            .Host("h2")
            .ToPlace("licensed")
            .Rule(new HostPinningRule("license", RuleStrength.Hard, ["licensed"], ["h1"]))
            .Plan();

        var down = plan.Unplaced("licensed");
        Assert.Contains("pinned elsewhere: license (1)", down.Reason);
        Assert.Contains("not eligible: in maintenance (1)", down.Reason);
    }

    [Fact]
    public void Plan_SoftPinning_PreferredButBrokenWhenThePinnedHostIsFull()
    {
        var cluster = new ClusterBuilder()
            .Host("h1", memoryMiB: 2048)
            .Host("h2")
            .ToPlace("a", memoryMiB: 1500, priority: 1)
            .ToPlace("b", memoryMiB: 1500)
            .Rule(new HostPinningRule("prefer-h1", RuleStrength.Soft, ["a", "b"], ["h1"]));

        var plan = cluster.Plan();

        Assert.Equal("h1", plan.HostOf("a"));
        Assert.Empty(plan.Decision("a").SoftRulesBroken);
        Assert.Equal("h2", plan.HostOf("b"));
        Assert.Equal(["prefer-h1"], plan.Decision("b").SoftRulesBroken);
    }

    [Fact]
    public void Plan_SoftSpread_PrefersTheRackWithFewestMembers()
    {
        var plan = new ClusterBuilder()
            .Host("a1", rack: "ra").Running("w1", "a1")
            .Host("b1", rack: "rb").Running("w2", "b1").Running("w3", "b1")
            .Host("c1", rack: "rc", memoryMiB: 20000)
            .Running("w4", "c1")
            .ToPlace("w5")
            .ToPlace("w6")
            .Rule(new SpreadRule("web-spread", RuleStrength.Soft, ["w1", "w2", "w3", "w4", "w5", "w6"], FailureDomainLevel.Rack))
            .Plan();

        // ra and rc hold one member each and tie on spread; ra's host has more free memory.
        Assert.Equal("a1", plan.HostOf("w5"));
        // Now ra holds two: rc is the only rack with one.
        Assert.Equal("c1", plan.HostOf("w6"));
        Assert.Contains("spread: fewest members of spread rule web-spread in its domain (1 vs 2", plan.Decision("w6").Why);
    }

    [Fact]
    public void Plan_HardSpread_RejectsFullerDomainsEvenWithMoreFreeMemory()
    {
        var plan = new ClusterBuilder()
            .Host("a1", rack: "ra", memoryMiB: 1 << 20).Running("w1", "a1")
            .Host("b1", rack: "rb", memoryMiB: 8192)
            .ToPlace("w2")
            .Rule(new SpreadRule("web-spread", RuleStrength.Hard, ["w1", "w2"], FailureDomainLevel.Rack))
            .Plan();

        var decision = plan.Decision("w2");
        Assert.Equal("b1", decision.HostId);
        Assert.Equal(1, decision.RejectedHosts["hard spread web-spread at Rack: domain has more members"]);
    }
}
