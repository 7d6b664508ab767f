using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>The agent binary exactly as the .deb installs it (NativeAOT, no .NET runtime), driven like systemd would.</summary>
[Collection(PackagesCollection.Name)]
public sealed class AgentBinaryTests(PackagesFixture packages)
{
    private string Agent => Path.Combine(packages.ExtractedRoot, "usr", "sbin", "haagent-agent");

    private string Ctl => Path.Combine(packages.ExtractedRoot, "usr", "bin", "haagentctl");

    [SkippableFact]
    public async Task ShippedConfig_NotFilledIn_Exit78NamingHostId()
    {
        var shipped = Path.Combine(packages.ExtractedRoot, "etc", "haagent", "agent.json");

        var result = await ProcessRunner.RunAsync(Agent, ["--config", shipped], TimeSpan.FromSeconds(30));

        // The unit's RestartPreventExitStatus=78 then keeps an unconfigured agent from a restart loop.
        Assert.Equal(78, result.ExitCode);
        Assert.Contains("haagent-agent: invalid configuration: HostId", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task BadValue_Exit78NamingTheKey()
    {
        var directory = packages.NewDirectory("agent-bad");
        var config = Path.Combine(directory, "agent.json");
        await File.WriteAllTextAsync(config, """{ "HostId": "h1", "CoordinatorEndpoints": ["http://127.0.0.1:7480"], "Intervals": { "Heartbeat": "soon" } }""");

        var result = await ProcessRunner.RunAsync(Agent, ["--config", config], TimeSpan.FromSeconds(30));

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("Intervals:Heartbeat", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task RealSelfFence_CheckAgent_CriticalUntilAcknowledged()
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        var directory = packages.NewDirectory("agent-selffence");

        var run = await AgentRun.StartAsync(Agent, directory, launcher: null, selfFenceSeconds: 3);
        await using (run)
        {
            // test:///default has one running domain, "test": the agent destroys it once the coordinator stays silent.
            await run.WaitForLogAsync("Self-fence done", TimeSpan.FromSeconds(30));

            var result = await ProcessRunner.RunAsync(Ctl, ["check", "agent", "--config", run.ConfigFile, "--no-unit", "--timeout", "3"], TimeSpan.FromSeconds(30));

            Assert.Equal(2, result.ExitCode);
            var line = result.StandardOutput.Trim();
            Assert.StartsWith("HAAGENT AGENT CRITICAL: ", line, StringComparison.Ordinal);
            Assert.Contains("self-fenced at ", line, StringComparison.Ordinal);
            Assert.Contains("1 VMs stopped", line, StringComparison.Ordinal);
            Assert.Contains("no coordinator reachable", line, StringComparison.Ordinal);
            Assert.Contains("'pending_self_fences'=1;;;0", line, StringComparison.Ordinal);

            Assert.Equal(0, await run.StopAsync());
        }
    }
}
