using HaAgent.Core.Model;

namespace HaAgent.Core.Tests.Placement;

public sealed class RestartPlannerExplanationTests
{
    [Fact]
    public void Why_DecidedByMemory_NamesFreeMemoryAndFeasibleHostCount()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 8192)
            .Host("h2", memoryMiB: 16384)
            .Host("h3", eligible: false, ineligibleReason: "dead")
            .ToPlace("vm", memoryMiB: 1024)
            .Plan();

        var why = plan.Decision("vm").Why;
        Assert.Contains("most free memory: 15360 MiB left after start vs 7168 MiB on next-best host h1", why);
        Assert.Contains("2 of 3 hosts feasible", why);
    }

    [Fact]
    public void Why_OnlyOneHostFeasible_SaysSo()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 512)
            .Host("h2")
            .ToPlace("vm")
            .Plan();

        Assert.Contains("the only host that meets every hard constraint", plan.Decision("vm").Why);
    }

    [Fact]
    public void Why_DecidedBySoftRule_NamesTheRuleTheRunnerUpWouldBreak()
    {
        var plan = new ClusterBuilder()
            .Host("h1", memoryMiB: 1 << 20).Running("web1", "h1")
            .Host("h2")
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Soft, ["web1", "web2"], FailureDomainLevel.Host))
            .Plan();

        Assert.Contains("keeps soft rules the next-best host h1 would break (web-apart)", plan.Decision("web2").Why);
    }

    [Fact]
    public void RejectedHosts_CountEachExcludedHostOnceUnderItsFirstReason()
    {
        var plan = new ClusterBuilder()
            .Host("dead1", eligible: false, ineligibleReason: "dead")
            .Host("small", memoryMiB: 512)
            .Host("r2a", rack: "r2").Running("web1", "r2a")
            .Host("r2b", rack: "r2")
            .Host("ok", rack: "r3")
            .ToPlace("web2")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Hard, ["web1", "web2"], FailureDomainLevel.Rack))
            .Plan();

        var decision = plan.Decision("web2");
        Assert.Equal("ok", decision.HostId);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["not eligible: dead"] = 1,
                ["no capacity: memory"] = 1,
                ["hard anti-affinity web-apart at Rack"] = 2,
            },
            decision.RejectedHosts);
    }

    [Fact]
    public void Reason_Unplaceable_ListsEveryReasonMostCommonFirst()
    {
        var plan = new ClusterBuilder()
            .Host("d1", eligible: false, ineligibleReason: "dead")
            .Host("s1", memoryMiB: 512)
            .Host("s2", memoryMiB: 512)
            .ToPlace("vm")
            .Plan();

        Assert.Equal("no feasible host among 3: no capacity: memory (2), not eligible: dead (1)", plan.Unplaced("vm").Reason);
    }

    [Fact]
    public void Why_HardAffinityWithRunningCoMember_SaysItFollowsTheCoMembers()
    {
        var plan = new ClusterBuilder()
            .Host("h1").Running("db", "h1")
            .Host("h2")
            .ToPlace("app")
            .Rule(new AffinityRule("app-with-db", RuleStrength.Hard, ["app", "db"]))
            .Plan();

        var why = plan.Decision("app").Why;
        Assert.StartsWith("hard affinity keeps it with co-members already on this host", why);
        Assert.Contains("1 of 2 hosts feasible", why);
    }
}
