using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

public sealed class FailureSetTests
{
    private static readonly HostSpec Host = new("h7", 16, 65536, new FailureDomains("r3", "p1", "z2"));

    [Theory]
    [InlineData(FailureDomainLevel.Host, "h7", true)]
    [InlineData(FailureDomainLevel.Rack, "r3", true)]
    [InlineData(FailureDomainLevel.Rack, "r4", false)]
    [InlineData(FailureDomainLevel.Power, "p1", true)]
    [InlineData(FailureDomainLevel.Zone, "z1", false)]
    public void Contains_DomainFailure_MatchesHostsWithThatLabel(FailureDomainLevel level, string label, bool expected)
    {
        Assert.Equal(expected, FailureSet.OfDomain(level, label).Contains(Host));
    }

    [Fact]
    public void Contains_HostFailure_MatchesOnlyListedHosts()
    {
        Assert.True(FailureSet.OfHosts("h1", "h7").Contains(Host));
        Assert.False(FailureSet.OfHosts("h1").Contains(Host));
    }

    [Fact]
    public void ToString_NamesTheFailureForExplanations()
    {
        Assert.Equal("rack r3", FailureSet.OfDomain(FailureDomainLevel.Rack, "r3").ToString());
        Assert.Equal("hosts h1, h2", FailureSet.OfHosts("h1", "h2").ToString());
    }
}
