using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

public sealed class FailureDryRunTests
{
    [Fact]
    public void Run_RackFails_ItsVmsRestartOutsideTheRackAndTheRestStayPut()
    {
        var cluster = new ClusterBuilder()
            .Host("a1", rack: "ra").Running("web1", "a1").Running("db1", "a1", memoryMiB: 4096)
            .Host("a2", rack: "ra").Running("web2", "a2")
            .Host("b1", rack: "rb").Running("web3", "b1")
            .Host("c1", rack: "rc")
            .Rule(new AntiAffinityRule("web-apart", RuleStrength.Hard, ["web1", "web2", "web3"], FailureDomainLevel.Rack))
            .Build();

        var result = FailureDryRun.Run(cluster, FailureSet.OfDomain(FailureDomainLevel.Rack, "ra"));

        Assert.Equal(["a1", "a2"], result.FailedHostIds);
        Assert.Equal(["db1", "web1", "web2"], result.AffectedVmIds);
        Assert.All(result.Plan.Placed, d => Assert.DoesNotContain(d.HostId, result.FailedHostIds));
        // web-apart: rb already holds web3, so one web VM restarts in rc and the other cannot restart at all.
        Assert.Equal("c1", result.Plan.HostOf("web1"));
        Assert.Contains("web-apart", result.Plan.Unplaced("web2").Reason);
        Assert.Contains("not eligible: failed in dry run: rack ra (2)", result.Plan.Unplaced("web2").Reason);
        Assert.Equal("c1", result.Plan.HostOf("db1"));
    }

    [Fact]
    public void Run_HostsFail_OnlyTheirVmsArePlanned()
    {
        var cluster = new ClusterBuilder()
            .Host("h1").Running("a", "h1")
            .Host("h2").Running("b", "h2")
            .Host("h3").Running("c", "h3")
            .Build();

        var result = FailureDryRun.Run(cluster, FailureSet.OfHosts("h1", "h2"));

        Assert.Equal(["a", "b"], result.AffectedVmIds);
        Assert.Equal("h3", result.Plan.HostOf("a"));
        Assert.Equal("h3", result.Plan.HostOf("b"));
        Assert.DoesNotContain(result.Plan.Placed, d => d.VmId == "c");
    }

    [Fact]
    public void Run_DomainWithNoHosts_ChangesNothing()
    {
        var cluster = new ClusterBuilder().Host("h1").Running("a", "h1").Build();

        var result = FailureDryRun.Run(cluster, FailureSet.OfDomain(FailureDomainLevel.Zone, "nowhere"));

        Assert.Empty(result.FailedHostIds);
        Assert.Empty(result.Plan.Placed);
        Assert.Empty(result.Plan.Unplaced);
    }

    [Fact]
    public void Run_VmWithoutSpec_ReportedAsStayingDown()
    {
        var cluster = new ClusterBuilder().Host("h1").Running("a", "h1").Host("h2").Build();
        cluster = cluster with { RunningSpecs = new Dictionary<string, VmSpec>() };

        var result = FailureDryRun.Run(cluster, FailureSet.OfHosts("h1"));

        Assert.Contains("spec is unknown", result.Plan.Unplaced("a").Reason);
    }

    [Fact]
    public void Run_LeavesTheClusterRequestUntouched()
    {
        var cluster = new ClusterBuilder().Host("h1").Running("a", "h1").Host("h2").Build();

        FailureDryRun.Run(cluster, FailureSet.OfHosts("h1"));

        Assert.True(cluster.Hosts.All(h => h.Eligible));
        Assert.Equal("h1", cluster.Running["a"]);
        Assert.Empty(cluster.VmsToPlace);
    }
}
