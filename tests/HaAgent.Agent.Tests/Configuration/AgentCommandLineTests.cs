using System.Reflection;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Configuration;

public sealed class AgentCommandLineTests
{
    [Theory]
    [InlineData(new string[0], "Run")]
    [InlineData(new[] { "--config", "/etc/haagent/agent.json" }, "Run")]
    [InlineData(new[] { "--config=/x/agent.json" }, "Run")]
    [InlineData(new[] { "--config", "a.json", "--intervals:heartbeat=00:00:02" }, "Run")]
    [InlineData(new[] { "--Intervals:Heartbeat", "00:00:02", "--hostId=hv-01" }, "Run")]
    [InlineData(new[] { "--help" }, "Help")]
    [InlineData(new[] { "-h" }, "Help")]
    [InlineData(new[] { "--config", "a.json", "--help" }, "Help")]
    [InlineData(new[] { "--version" }, "Version")]
    [InlineData(new[] { "--frobnicate" }, "Error")]
    [InlineData(new[] { "--nope:key=1" }, "Error")]
    [InlineData(new[] { "agent.json" }, "Error")]
    [InlineData(new[] { "--config" }, "Error")]
    [InlineData(new[] { "--config=" }, "Error")]
    [InlineData(new[] { "--config", "--help" }, "Error")]
    [InlineData(new[] { "--hostId" }, "Error")]
    public void Parse_Arguments_Action(string[] args, string expected) =>
        Assert.Equal(expected, AgentCommandLine.Parse(args).Action.ToString());

    [Fact]
    public async Task Run_Help_ListsConfigOptionAndExitsZero()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--help"], error, output: output);

        Assert.Equal(0, exit);
        Assert.Contains("--config PATH", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("/etc/haagent/agent.json", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--version", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task Run_Version_PrintsInformationalVersion()
    {
        var output = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--version"], new StringWriter(), output: output);

        Assert.Equal(0, exit);
        var expected = typeof(AgentProgram).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, output.ToString().Trim());
    }

    [Fact]
    public async Task Run_UnknownOption_NamesItAndExitsTwo()
    {
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--frobnicate", "1"], error);

        Assert.Equal(AgentCommandLine.UsageError, exit);
        Assert.Contains("unknown option '--frobnicate'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_HelpVersionAndUnknownOption_ProcessExitCodes()
    {
        var agentDll = Path.Combine(AppContext.BaseDirectory, "haagent-agent.dll");

        var help = await ProcessRunner.RunAsync("dotnet", [agentDll, "--help"], TimeSpan.FromSeconds(30));
        var version = await ProcessRunner.RunAsync("dotnet", [agentDll, "--version"], TimeSpan.FromSeconds(30));
        var unknown = await ProcessRunner.RunAsync("dotnet", [agentDll, "--bogus"], TimeSpan.FromSeconds(30));

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--config PATH", help.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, version.ExitCode);
        Assert.Equal(AgentCommandLine.Version, version.StandardOutput.Trim());
        Assert.Equal(AgentCommandLine.UsageError, unknown.ExitCode);
        Assert.Contains("unknown option '--bogus'", unknown.StandardError, StringComparison.Ordinal);
    }
}
