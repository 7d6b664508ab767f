using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>The shipped haagentctl's `check agent` on agent configs and state files as the agent writes them.</summary>
[Collection(PackagesCollection.Name)]
public sealed class AgentCheckTests(PackagesFixture packages)
{
    private const string SelfFencedState = """
        {
          "highestToken": 42,
          "pendingSelfFences": [
            {
              "at": "2026-11-25T23:10:00+00:00",
              "incarnation": 7,
              "reason": "no coordinator contact for 00:00:30",
              "stoppedVms": [ "vm-a", "vm-b" ],
              "killed": [ "vm-b" ],
              "failed": []
            }
          ]
        }
        """;

    private string Ctl => Path.Combine(packages.ExtractedRoot, "usr", "bin", "haagentctl");

    [SkippableFact]
    public async Task CheckAgent_SelfFencedState_Critical()
    {
        var (config, state) = Write(endpoints: [], SelfFencedState);

        var result = await RunAsync("check", "agent", "--config", config, "--state-file", state, "--no-unit", "--no-coordinator");

        Assert.Equal(2, result.ExitCode);
        var line = result.StandardOutput.Trim();
        Assert.StartsWith("HAAGENT AGENT CRITICAL: self-fenced at 2026-11-25T23:10:00+00:00 (no coordinator contact for 00:00:30): 2 VMs stopped, 1 killed, 0 failed", line, StringComparison.Ordinal);
        Assert.Contains("'pending_self_fences'=1;;;0", line, StringComparison.Ordinal);
        Assert.Contains("'highest_token'=42;;;0", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_StateFileFromConfig_IsTheOneRead()
    {
        var directory = packages.NewDirectory("agent-check");
        var state = Path.Combine(directory, "state.json");
        await File.WriteAllTextAsync(state, SelfFencedState);
        var config = Path.Combine(directory, "agent.json");
        // Comments and key case as the agent's own loader accepts them.
        await File.WriteAllTextAsync(config, $$"""
            // agent config
            { "hostId": "h1", "stateFile": "{{state}}", "CoordinatorEndpoints": [], }
            """);

        var result = await RunAsync("check", "agent", "--config", config, "--no-unit", "--no-coordinator");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("self-fenced", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_CleanStateAndCoordinatorUp_Ok()
    {
        await using var coordinator = await StartCoordinatorAsync();
        var (config, state) = Write(endpoints: [coordinator.Url.ToString()], """{ "highestToken": 3, "pendingSelfFences": [] }""");

        var result = await RunAsync("check", "agent", "--config", config, "--state-file", state);

        Assert.Equal(0, result.ExitCode);
        var line = result.StandardOutput.Trim();
        Assert.StartsWith("HAAGENT AGENT OK: not self-fenced, fencing token 3", line, StringComparison.Ordinal);
        Assert.Contains("1/1 coordinators reachable", line, StringComparison.Ordinal);
        // No systemd as PID 1 on this machine: the unit part is skipped, not failed.
        if (!Directory.Exists("/run/systemd/system"))
        {
            Assert.Contains("systemd not running, unit not checked", line, StringComparison.Ordinal);
        }
        Assert.Contains("'coordinators_reachable'=1;;;0;1", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_NoStateFileYet_Ok()
    {
        var (config, _) = Write(endpoints: [], state: null);

        var result = await RunAsync("check", "agent", "--config", config, "--no-unit", "--no-coordinator");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no state file yet", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_CorruptStateFile_Critical()
    {
        var (config, state) = Write(endpoints: [], "{\"highestToken\": 4");

        var result = await RunAsync("check", "agent", "--config", config, "--state-file", state, "--no-unit", "--no-coordinator");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is corrupt", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_NoCoordinatorReachable_Critical()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        var (config, state) = Write(endpoints: [dead], """{ "highestToken": 0, "pendingSelfFences": [] }""");

        var result = await RunAsync("check", "agent", "--config", config, "--state-file", state, "--no-unit", "--timeout", "3");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("HAAGENT AGENT CRITICAL: no coordinator reachable", result.StandardOutput.Trim(), StringComparison.Ordinal);
        Assert.Contains("'coordinators_reachable'=0;;;0;1", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_OneOfTwoCoordinatorsReachable_Warning()
    {
        await using var coordinator = await StartCoordinatorAsync();
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        var (config, state) = Write(endpoints: [coordinator.Url.ToString(), dead], """{ "highestToken": 0, "pendingSelfFences": [] }""");

        var result = await RunAsync("check", "agent", "--config", config, "--state-file", state, "--no-unit");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1/2 coordinators reachable", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_MissingConfig_Unknown()
    {
        var result = await RunAsync("check", "agent", "--config", "/nonexistent/agent.json", "--state-file", "/nonexistent/state.json", "--no-unit");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("config /nonexistent/agent.json does not exist", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckAgent_ShippedExampleConfig_Parses()
    {
        var shipped = Path.Combine(packages.ExtractedRoot, "etc", "haagent", "agent.json");
        var state = Path.Combine(packages.NewDirectory("agent-check"), "absent.json");

        var result = await RunAsync("check", "agent", "--config", shipped, "--state-file", state, "--no-unit", "--no-coordinator");

        Assert.Equal(0, result.ExitCode);
    }

    private (string Config, string State) Write(string[] endpoints, string? state)
    {
        var directory = packages.NewDirectory("agent-check");
        var statePath = Path.Combine(directory, "agent-state.json");
        if (state is not null)
        {
            File.WriteAllText(statePath, state);
        }
        var config = Path.Combine(directory, "agent.json");
        var list = string.Join(", ", endpoints.Select(static e => $"\"{e}\""));
        File.WriteAllText(config, $$"""{ "HostId": "h1", "StateFile": "{{statePath}}", "CoordinatorEndpoints": [ {{list}} ] }""");
        return (config, statePath);
    }

    private Task<ProcessRunner.Result> RunAsync(params string[] args) => ProcessRunner.RunAsync(Ctl, args, TimeSpan.FromSeconds(30));

    /// <summary>The packaged coordinator: the agent check probes its /healthz like the agent would reach it.</summary>
    private Task<CoordinatorProcess> StartCoordinatorAsync() =>
        CoordinatorProcess.StartAsync(Path.Combine(packages.ExtractedRoot, "usr", "lib", "haagent", "coordinator", "HaAgent.Coordinator"), packages.NewDirectory("coordinator"));
}
