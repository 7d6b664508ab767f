using HaAgent.Core.Model;

namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerAntiAffinityTests
{
    [Fact]
    public void Plan_HardHostAntiAffinity_AvoidsTheHostOfARunningMember()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("web1", "h1")
            .Host("h2").Running("filler", "h2", memoryMiB: 30000)
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Hard, ["web1", "web2"], FailureDomainLevel.Host))
            .Plan();

        Assert.Equal("h2", plan.HostOf("web2"));
        Assert.Equal(1, plan.Decision("web2").RejectedHosts["hard anti-affinity web-apart at Host"]);
    }

    [Fact]
    public void Plan_HardAntiAffinityCannotBeKept_VmLeftDownWithReasonNamingTheRule()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("web1", "h1")
            .Host("h2").Running("web2", "h2")
            .ToPlace("web3")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Hard, ["web1", "web2", "web3"], FailureDomainLevel.Host))
            .Plan();

        var down = plan.Unplaced("web3");
        Assert.Contains("web-apart", down.Reason);
        Assert.Equal(2, down.RejectedHosts["hard anti-affinity web-apart at Host"]);
    }

    [Fact]
    public void Plan_HardAntiAffinity_CountsVmsPlacedEarlierInTheSamePlan()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .Host("h2")
            .ToPlace("db1", priority: 2)
            .ToPlace("db2", priority: 1)
            .ToPlace("db3", priority: 0)
            .Rule(new AntiAffinityRule("db-apart", RuleStrength.Hard, ["db1", "db2", "db3"], FailureDomainLevel.Host))
            .Plan();

        Assert.NotEqual(plan.HostOf("db1"), plan.HostOf("db2"));
        Assert.Contains("db-apart", plan.Unplaced("db3").Reason);
    }

    [Fact]
    public void Plan_RackAntiAffinity_AvoidsEveryHostOfTheMembersRack()
    {
        var plan = new ClusterBuilder()
            .Host("a1", rack: "ra").Running("web1", "a1")
            .Host("a2", rack: "ra")
            .Host("a3", rack: "ra")
            .Host("b1", rack: "rb").Running("filler", "b1", memoryMiB: 40000)
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Hard, ["web1", "web2"], FailureDomainLevel.Rack))
            .Plan();

        Assert.Equal("b1", plan.HostOf("web2"));
        Assert.Equal(3, plan.Decision("web2").RejectedHosts["hard anti-affinity web-apart at Rack"]);
    }

    [Theory]
    [InlineData(FailureDomainLevel.Power)]
    [InlineData(FailureDomainLevel.Zone)]
    public void Plan_PowerOrZoneAntiAffinity_AvoidsTheMembersDomain(FailureDomainLevel level)
    {
        var plan = new ClusterBuilder()
            .Host("h1", rack: "r1", power: "p1", zone: "z1").Running("a", "h1")
            .Host("h2", rack: "r2", power: "p1", zone: "z1")
            .Host("h3", rack: "r3", power: "p2", zone: "z2").Running("filler", "h3", memoryMiB: 40000)
            .ToPlace("b")
            .Rule(new AntiAffinityRule("apart", RuleStrength.Hard, ["a", "b"], level))
            .Plan();

        Assert.Equal("h3", plan.HostOf("b"));
    }

    [Fact]
    public void Plan_SoftAntiAffinity_KeptWhenAHostAllowsIt()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("web1", "h1")
            .Host("h2").Running("filler", "h2", memoryMiB: 40000)
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Soft, ["web1", "web2"], FailureDomainLevel.Host))
            .Plan();

        var decision = plan.Decision("web2");
        Assert.Equal("h2", decision.HostId);
        Assert.Empty(decision.SoftRulesBroken);
        Assert.Contains("keeps soft rules", decision.Why);
    }

    [Fact]
    public void Plan_SoftAntiAffinity_BrokenOnlyWhenNecessaryAndReported()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("web1", "h1")
            .Host("h2", eligible: false, ineligibleReason: "dead")
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Soft, ["web1", "web2"], FailureDomainLevel.Host))
            .Plan();

        var decision = plan.Decision("web2");
        Assert.Equal("h1", decision.HostId);
        Assert.Equal(["web-apart"], decision.SoftRulesBroken);
        Assert.Contains("soft rules broken: web-apart", decision.Why);
    }

    [Fact]
    public void Plan_AntiAffinityMemberOnAnIneligibleHost_StillCounts()
    {
        // A suspect host is not yet fenced: its VMs may still run, so their domain stays off limits.
        var plan = new ClusterBuilder()
            .Host("a1", rack: "ra", eligible: false, ineligibleReason: "suspect").Running("db1", "a1")
            .Host("a2", rack: "ra", memoryMiB: 1 << 20)
            .Host("b1", rack: "rb")
            .ToPlace("db2")
            .Rule(new AntiAffinityRule("db-apart", RuleStrength.Hard, ["db1", "db2"], FailureDomainLevel.Rack))
            .Plan();

        Assert.Equal("b1", plan.HostOf("db2"));
    }

    [Fact]
    public void Plan_SoftAntiAffinityInsideAHardAffinityGroup_ReportedAsBroken()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .Host("h2")
            .ToPlace("a")
            .ToPlace("b")
            .Rule(new AffinityRule("together", RuleStrength.Hard, ["a", "b"]))
            .Rule(new AntiAffinityRule("rather-apart", RuleStrength.Soft, ["a", "b"], FailureDomainLevel.Host))
            .Plan();

        Assert.Equal(plan.HostOf("a"), plan.HostOf("b"));
        Assert.Equal(["rather-apart"], plan.Decision("b").SoftRulesBroken);
    }
}
