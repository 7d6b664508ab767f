using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerSafetyTests
{
    [Fact]
    public void Plan_IneligibleHosts_AreNeverChosenAndCountedByReason()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 1 << 20, eligible: false, ineligibleReason: "dead")
            .Host("h2", memoryMiB: 1 << 20, eligible: false, ineligibleReason: "dead")
            .Host("h3", memoryMiB: 1 << 20, eligible: false, ineligibleReason: "in maintenance")
            .Host("h4", memoryMiB: 4096)
            .ToPlace("vm")
            .Plan();

        var decision = plan.Decision("vm");
        Assert.Equal("h4", decision.HostId);
        Assert.Equal(2, decision.RejectedHosts["not eligible: dead"]);
        Assert.Equal(1, decision.RejectedHosts["not eligible: in maintenance"]);
    }

    [Fact]
    public void Plan_NoEligibleHost_EveryVmReportedWithTheReason()
    {
        var plan = new ClusterBuilder()
            .Host("h1", eligible: false, ineligibleReason: "fenced")
            .ToPlace("a")
            .ToPlace("b")
            .Plan();

        Assert.Empty(plan.Placed);
        Assert.Contains("not eligible: fenced (1)", plan.Unplaced("a").Reason);
        Assert.Contains("not eligible: fenced (1)", plan.Unplaced("b").Reason);
    }

    [Fact]
    public void Plan_MaxStartsPerHost_LimitsStartsOnEachHost()
    {
        var builder = new ClusterBuilder().Host("h1").Host("h2");
        for (var i = 0; i < 5; i++)
        {
            builder.ToPlace($"vm{i}");
        }

        var plan = builder.Plan(maxStartsPerHost: 2);

        Assert.Equal(4, plan.Placed.Count);
        Assert.All(plan.Placed.GroupBy(d => d.HostId), g => Assert.Equal(2, g.Count()));
        var down = plan.Unplaced("vm4");
        Assert.Equal(2, down.RejectedHosts["start limit reached: 2 per host"]);
    }

    [Fact]
    public void Plan_MaxStartsPerHost_AffinityGroupNeedsRoomForAllItsStarts()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .ToPlace("a")
            .ToPlace("b")
            .ToPlace("c")
            .Rule(new AffinityRule("trio", RuleStrength.Hard, ["a", "b", "c"]))
            .Plan(maxStartsPerHost: 2);

        Assert.Empty(plan.Placed);
        Assert.Contains("start limit", plan.Unplaced("a").Reason);
    }

    [Fact]
    public void Plan_VmAlreadyRunning_IsReportedAndNotStartedAgain()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("vm", "h1")
            .Host("h2")
            .ToPlace("vm")
            .Plan();

        Assert.Contains("already running on h1", plan.Unplaced("vm").Reason);
    }

    [Fact]
    public void Plan_VmListedTwice_IsPlacedOnceAndTheCopyReported()
    {
        var plan = new ClusterBuilder()
            .Host("h1")
            .Host("h2")
            .ToPlace("vm")
            .ToPlace("vm")
            .Plan();

        Assert.Single(plan.Placed, d => d.VmId == "vm");
        var copy = Assert.Single(plan.Unplaced);
        Assert.Equal("vm", copy.VmId);
        Assert.Contains("listed more than once", copy.Reason);
    }

    [Fact]
    public void Plan_SameRequest_GivesTheSamePlan()
    {
        var request = TieHeavyCluster().Build();
        var planner = new RestartPlanner();

        Assert.Equal(planner.Plan(request).Render(), planner.Plan(request).Render());
    }

    [Fact]
    public void Plan_HostsAndVmsListedInAnotherOrder_GiveTheSamePlan()
    {
        var request = TieHeavyCluster().Build();
        var shuffled = request with
        {
            Hosts = [.. request.Hosts.Reverse()],
            VmsToPlace = [.. request.VmsToPlace.Reverse()],
        };
        var planner = new RestartPlanner();

        Assert.Equal(planner.Plan(request).Render(), planner.Plan(shuffled).Render());
    }

    [Fact]
    public void Plan_FullTie_LowestHostIdOrdinalWins()
    {
        var plan = new ClusterBuilder().Host("hb").Host("hB").Host("ha").ToPlace("vm").Plan();

        var decision = plan.Decision("vm");
        Assert.Equal("hB", decision.HostId);
        Assert.Contains("lowest host id wins", decision.Why);
    }

    [Fact]
    public void Plan_TwoHostsWithOneId_Throws()
    {
        var request = new ClusterBuilder().Host("h1").Host("h1").ToPlace("vm").Build();

        var error = Assert.Throws<ArgumentException>(() => new RestartPlanner().Plan(request));
        Assert.Contains("h1", error.Message);
    }

    private static ClusterBuilder TieHeavyCluster()
    {
        var builder = new ClusterBuilder();
        for (var h = 0; h < 6; h++)
        {
            builder.Host($"h{h}", rack: $"r{h % 3}");
        }
        for (var v = 0; v < 12; v++)
        {
            builder.ToPlace($"vm{v}", priority: v % 3);
        }
        return builder
            .Rule(new AntiAffinityRule("apart", RuleStrength.Hard, ["vm0", "vm1", "vm2"], FailureDomainLevel.Rack))
            .Rule(new SpreadRule("spread", RuleStrength.Soft, ["vm3", "vm4", "vm5", "vm6"], FailureDomainLevel.Rack))
            .Rule(new AffinityRule("pair", RuleStrength.Soft, ["vm7", "vm8"]));
    }
}
