using System.Text;
using HaAgent.Ctl.Checks;
using HaAgent.Ctl.Nagios;

namespace HaAgent.Packaging.Tests;

/// <summary>The plugin conventions monitoring systems parse: threshold ranges, perfdata, the status line.</summary>
public sealed class NagiosFormatTests
{
    [Theory]
    [InlineData("10", -1, true)]
    [InlineData("10", 0, false)]
    [InlineData("10", 10, false)]
    [InlineData("10", 11, true)]
    [InlineData("10:", 9, true)]
    [InlineData("10:", 1e9, false)]
    [InlineData("~:10", -1e9, false)]
    [InlineData("~:10", 11, true)]
    [InlineData("10:20", 9, true)]
    [InlineData("10:20", 15, false)]
    [InlineData("10:20", 21, true)]
    [InlineData("@10:20", 15, true)]
    [InlineData("@10:20", 21, false)]
    [InlineData("0", 0, false)]
    [InlineData("0", 1, true)]
    public void Alerts_PluginRangeSyntax_MatchesGuidelines(string range, double value, bool alerts)
    {
        Assert.True(NagiosRange.TryParse(range, out var parsed, out var error), error);
        Assert.Equal(alerts, parsed.Alerts(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("5:2")]
    [InlineData("1:x")]
    [InlineData("@")]
    [InlineData("NaN")]
    public void TryParse_Malformed_FailsWithReason(string range)
    {
        Assert.False(NagiosRange.TryParse(range, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Render_WorstStateFirst_OneLineWithPerfData()
    {
        var report = new CheckReport("HAAGENT TEST");
        report.Ok("leader a epoch 1");
        report.Add(NagiosStatus.Unknown, "part unknown");
        report.Add(NagiosStatus.Critical, "boom\nsecond line");
        report.Perf(new PerfDatum("hosts", 3, Warning: Range("2:"), Min: 0, Max: 10));
        report.Perf(new PerfDatum("odd 'label'", 0.5, "s"));

        Assert.Equal(NagiosStatus.Critical, report.Status);
        Assert.Equal("HAAGENT TEST CRITICAL: boom second line; UNKNOWN: part unknown; leader a epoch 1 | 'hosts'=3;2:;;0;10 'odd ''label'''=0.5s", report.Render());
    }

    [Fact]
    public void Worst_UnknownRanksBelowWarning()
    {
        Assert.Equal(NagiosStatus.Warning, NagiosStatus.Unknown.Worst(NagiosStatus.Warning));
        Assert.Equal(NagiosStatus.Unknown, NagiosStatus.Ok.Worst(NagiosStatus.Unknown));
        Assert.Equal(NagiosStatus.Critical, NagiosStatus.Critical.Worst(NagiosStatus.Unknown));
    }

    [Fact]
    public void Samples_EngineHostStates_SummedByState()
    {
        var text = new StringBuilder()
            .Append("# HELP haagent_hosts_by_state Hosts by engine state.\n")
            .Append("# TYPE haagent_hosts_by_state gauge\n")
            .Append("haagent_hosts_by_state{state=\"healthy\"} 5\n")
            .Append("haagent_hosts_by_state{zone=\"z1\",state=\"dead\"} 1\n")
            .Append("haagent_hosts_by_state{zone=\"z2\",state=\"dead\"} 2\n")
            .Append("haagent_hosts_total 8\n")
            .ToString();

        var samples = PrometheusText.Samples(text, "haagent_hosts_by_state", "state");

        Assert.NotNull(samples);
        Assert.Equal(5, samples["healthy"]);
        Assert.Equal(3, samples["dead"]);
        Assert.Null(PrometheusText.Samples(text, "haagent_nothing", "state"));
    }

    private static NagiosRange Range(string text) => NagiosRange.TryParse(text, out var range, out _) ? range : throw new ArgumentException(text);
}
