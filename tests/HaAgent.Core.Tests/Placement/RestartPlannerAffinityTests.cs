using HaAgent.Core.Model;

namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerAffinityTests
{
    [Fact]
    public void Plan_HardAffinityPair_PlacedTogetherOnAHostWithRoomForBoth()
    {
        // h1 has the most free memory but room for only one of the pair.
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 5000)
            .Host("h2", memoryMiB: 8192).Running("x", "h2", memoryMiB: 3000)
            .ToPlace("app", memoryMiB: 2048, priority: 5)
            .ToPlace("cache", memoryMiB: 2048)
            .Rule(new AffinityRule("app-with-cache", RuleStrength.Hard, ["app", "cache"]))
            .Plan();

        Assert.Equal("h2", plan.HostOf("app"));
        Assert.Equal("h2", plan.HostOf("cache"));
        Assert.Contains("hard affinity group", plan.Decision("cache").Why);
    }

    [Fact]
    public void Plan_HardAffinityGroup_StartsConsecutivelyAtItsHighestPriority()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .ToPlace("app", priority: 9)
            .ToPlace("other", priority: 5)
            .ToPlace("cache", priority: 0)
            .Rule(new AffinityRule("app-with-cache", RuleStrength.Hard, ["app", "cache"]))
            .Plan();

        Assert.Equal(["app", "cache", "other"], plan.Placed.Select(d => d.VmId));
    }

    [Fact]
    public void Plan_HardAffinityWithRunningMember_GoesToThatMembersHost()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("db", "h1", memoryMiB: 20000)
            .Host("h2")
            .ToPlace("app")
            .Rule(new AffinityRule("app-with-db", RuleStrength.Hard, ["app", "db"]))
            .Plan();

        var decision = plan.Decision("app");
        Assert.Equal("h1", decision.HostId);
        Assert.Equal(1, decision.RejectedHosts["hard affinity app-with-db: co-members run elsewhere"]);
    }

    [Fact]
    public void Plan_HardAffinityMembersHostFull_VmLeftDownNamingTheRule()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 4096).Running("db", "h1", memoryMiB: 4096)
            .Host("h2")
            .ToPlace("app")
            .Rule(new AffinityRule("app-with-db", RuleStrength.Hard, ["app", "db"]))
            .Plan();

        var down = plan.Unplaced("app");
        Assert.Contains("app-with-db", down.Reason);
        Assert.Equal(1, down.RejectedHosts["no capacity: memory"]);
    }

    [Fact]
    public void Plan_HardAffinityGroupWithoutAHostForAll_AllMembersLeftDown()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 3000)
            .Host("h2", memoryMiB: 3000)
            .ToPlace("app", memoryMiB: 2048)
            .ToPlace("cache", memoryMiB: 2048)
            .Rule(new AffinityRule("app-with-cache", RuleStrength.Hard, ["app", "cache"]))
            .Plan();

        Assert.Empty(plan.Placed);
        Assert.Contains("hard affinity group (app, cache)", plan.Unplaced("app").Reason);
        Assert.Contains("no capacity: memory (2)", plan.Unplaced("cache").Reason);
    }

    [Fact]
    public void Plan_HardAffinityAndHardAntiAffinityOnTheSameVms_BothLeftDownNamingBothRules()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .ToPlace("a")
            .ToPlace("b")
            .Rule(new AffinityRule("together", RuleStrength.Hard, ["a", "b"]))
            .Rule(new AntiAffinityRule("apart", RuleStrength.Hard, ["a", "b"], FailureDomainLevel.Host))
            .Plan();

        Assert.Contains("apart", plan.Unplaced("a").Reason);
        Assert.Contains("hard affinity", plan.Unplaced("b").Reason);
    }

    [Fact]
    public void Plan_SoftAffinity_FollowsTheCoMemberPlacedEarlier()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 65536)
            .Host("h2", memoryMiB: 32768)
            .ToPlace("app", priority: 5)
            .ToPlace("cache", memoryMiB: 20000)
            .Rule(new AffinityRule("near", RuleStrength.Soft, ["app", "cache"]))
            .Plan();

        Assert.Equal(plan.HostOf("app"), plan.HostOf("cache"));
        Assert.Empty(plan.Decision("cache").SoftRulesBroken);
    }

    [Fact]
    public void Plan_SoftAffinityCannotBeKept_PlacedElsewhereAndReported()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 4096).Running("db", "h1", memoryMiB: 4096)
            .Host("h2")
            .ToPlace("app")
            .Rule(new AffinityRule("near-db", RuleStrength.Soft, ["app", "db"]))
            .Plan();

        var decision = plan.Decision("app");
        Assert.Equal("h2", decision.HostId);
        Assert.Equal(["near-db"], decision.SoftRulesBroken);
    }
}
