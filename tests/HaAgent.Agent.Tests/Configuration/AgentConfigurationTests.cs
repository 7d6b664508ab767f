using System.Diagnostics;
using HaAgent.Agent.Configuration;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Configuration;

public sealed class AgentConfigurationTests : IDisposable
{
    private readonly TempDirectory _directory = new("agent-config");

    public void Dispose() => _directory.Dispose();

    private const string ValidJson = """
        {
          "hostId": "hv-01",
          "failureDomains": { "rack": "r12", "zone": "z1" },
          "coordinatorEndpoints": [ "https://coord-1:7443", "https://coord-2:7443" ],
          "stateFile": "STATE",
          "coordinator": { "secretFile": "SECRET", "requestTimeout": "00:00:03" },
          "libvirt": { "uri": "test:///default" },
          "intervals": { "heartbeat": "00:00:01", "selfFenceTimeout": "00:00:30" }
        }
        """;

    [Fact]
    public async Task Run_ValidConfig_StartsAndStopsWithExitZero()
    {
        var path = Write(ValidJson);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", path], error, stop.Token);

        Assert.True(exit == 0, error.ToString());
    }

    [Fact]
    public void Bind_ValidConfig_ReadsEveryKey()
    {
        var path = Write(ValidJson);
        using var host = AgentHost.CreateBuilder(["--config", path]).Build();
        var options = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<AgentOptions>>(host.Services).Value;

        Assert.Equal("hv-01", options.HostId);
        Assert.Equal("r12", options.FailureDomains["rack"]);
        Assert.Equal(["https://coord-1:7443", "https://coord-2:7443"], options.CoordinatorEndpoints);
        Assert.Equal("test:///default", options.Libvirt.Uri);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Intervals.SelfFenceTimeout);
        Assert.Equal(_directory.File("agent.key"), options.Coordinator.SecretFile);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Coordinator.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Coordinator.PollTimeout);
    }

    [Theory]
    [InlineData("", 15.0)]
    [InlineData(", \"monitorProbe\": \"00:01:00\"", 60.0)]
    [InlineData(", \"monitorProbe\": \"00:00:00\"", null)]
    public void Build_MonitorProbeSetting_ReachesTheVmWatcher(string setting, double? expectedSeconds)
    {
        var path = Write(ValidJson.Replace("\"selfFenceTimeout\": \"00:00:30\"", "\"selfFenceTimeout\": \"00:00:30\"" + setting, StringComparison.Ordinal));
        using var host = AgentHost.CreateBuilder(["--config", path]).Build();
        var watcher = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<HaAgent.Agent.Vms.VmWatcher>(host.Services);

        Assert.Equal(expectedSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null, watcher.Options.MonitorProbeInterval);
    }

    [Theory]
    [InlineData("\"hostId\": \"hv-01\"", "\"hostId\": \"\"", "HostId")]
    [InlineData("\"hostId\": \"hv-01\"", "\"hostId\": \"bad host/id\"", "HostId")]
    [InlineData("\"coordinatorEndpoints\": [ \"https://coord-1:7443\", \"https://coord-2:7443\" ]", "\"coordinatorEndpoints\": [ \"coord-1\" ]", "CoordinatorEndpoints:0")]
    [InlineData("\"coordinatorEndpoints\": [ \"https://coord-1:7443\", \"https://coord-2:7443\" ]", "\"coordinatorEndpoints\": [ ]", "CoordinatorEndpoints")]
    [InlineData("\"selfFenceTimeout\": \"00:00:30\"", "\"selfFenceTimeout\": \"00:00:02\"", "Intervals:SelfFenceTimeout")]
    [InlineData("\"heartbeat\": \"00:00:01\"", "\"heartbeat\": \"-00:00:01\"", "Intervals:Heartbeat")]
    [InlineData("\"heartbeat\": \"00:00:01\"", "\"heartbeat\": \"soon\"", "Intervals:Heartbeat")]
    [InlineData("\"selfFenceTimeout\": \"00:00:30\"", "\"selfFenceTimeout\": \"00:00:30\", \"monitorProbe\": \"-00:00:01\"", "Intervals:MonitorProbe")]
    [InlineData("\"selfFenceTimeout\": \"00:00:30\"", "\"selfFenceTimeout\": \"00:00:30\", \"monitorProbe\": \"00:00:00.500\"", "Intervals:MonitorProbe")]
    [InlineData("\"libvirt\": { \"uri\": \"test:///default\" }", "\"libvirt\": { \"uri\": \"\" }", "Libvirt.Uri")]
    [InlineData("\"secretFile\": \"SECRET\"", "\"secretFile\": \"SHORT\"", "Coordinator:SecretFile")]
    [InlineData("\"secretFile\": \"SECRET\"", "\"secretFile\": \"/nonexistent/agent.key\"", "Coordinator:SecretFile")]
    [InlineData("\"requestTimeout\": \"00:00:03\"", "\"requestTimeout\": \"00:01:00\"", "Coordinator:PollTimeout")]
    public async Task Run_BadValue_FailsWithExitCode78NamingTheKey(string valid, string bad, string key)
    {
        Assert.Contains(valid, ValidJson, StringComparison.Ordinal);
        var path = Write(ValidJson.Replace(valid, bad, StringComparison.Ordinal));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", path], error, stop.Token);

        Assert.Equal(AgentProgram.ConfigurationError, exit);
        Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IscsiSectionWithBadKeyAndPortal_NamesBothKeys()
    {
        var path = Write(ValidJson.Replace(
            "\"intervals\"",
            "\"iscsi\": { \"initiatorIqn\": \"iqn.2024-01.test:hv-01\", \"reservationKey\": \"0x0\", \"portals\": [ \"nowhere\" ] }, \"intervals\"",
            StringComparison.Ordinal));
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", path], error);

        Assert.Equal(AgentProgram.ConfigurationError, exit);
        Assert.Contains("Iscsi:ReservationKey", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Iscsi:Portals:0", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WatchdogShorterThanSelfFence_Refused()
    {
        var path = Write(ValidJson.Replace(
            "\"intervals\"",
            "\"watchdog\": { \"kind\": \"file\", \"path\": \"WD\", \"timeout\": \"00:00:20\", \"kickInterval\": \"00:00:05\" }, \"intervals\"",
            StringComparison.Ordinal));
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", path], error);

        Assert.Equal(AgentProgram.ConfigurationError, exit);
        Assert.Contains("Watchdog:Timeout", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingConfigFile_NamesThePath()
    {
        var missing = _directory.File("nope.json");
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", missing], error);

        Assert.Equal(AgentProgram.ConfigurationError, exit);
        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveConfigPath_CommandLineBeatsDefault()
    {
        Assert.Equal("/x/a.json", AgentHost.ResolveConfigPath(["--config", "/x/a.json"]));
        Assert.Equal("/x/b.json", AgentHost.ResolveConfigPath(["--config=/x/b.json"]));
    }

    [Fact]
    public async Task Program_BadConfig_ProcessExitsNonZeroWithKeyOnStderr()
    {
        var path = Write(ValidJson.Replace("\"hostId\": \"hv-01\"", "\"hostId\": \"\"", StringComparison.Ordinal));
        var agentDll = Path.Combine(AppContext.BaseDirectory, "haagent-agent.dll");
        Assert.True(File.Exists(agentDll), agentDll);

        var result = await ProcessRunner.RunAsync("dotnet", [agentDll, "--config", path], TimeSpan.FromSeconds(30));

        Assert.Equal(AgentProgram.ConfigurationError, result.ExitCode);
        Assert.Contains("HostId", result.StandardError, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        var path = _directory.File($"agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(_directory.File("agent.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        File.WriteAllText(_directory.File("short.key"), "only-16-bytes-xx");
        File.WriteAllText(path, json.Replace("STATE", _directory.File("state.json"), StringComparison.Ordinal)
            .Replace("SECRET", _directory.File("agent.key"), StringComparison.Ordinal)
            .Replace("SHORT", _directory.File("short.key"), StringComparison.Ordinal).Replace("\"WD\"", $"\"{_directory.File("wd")}\"", StringComparison.Ordinal));
        return path;
    }
}
