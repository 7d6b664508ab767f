using System.Diagnostics;
using System.Text.Json;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Lab;

namespace HaAgent.Demo;

/// <summary>
/// One haagent-agent inside a lab host (its namespace and cgroup, so freezing or killing the host takes the agent
/// with it), with a generated agent.json: libvirt through the host's private libvirtd, Ceph identity client.&lt;host&gt;,
/// the least-privilege fencer identity, heartbeats in the lab pool, the coordinator in the storage namespace.
/// </summary>
internal sealed class AgentProcess
{
    private AgentProcess(LabHost host, Process process, string configFile, string logFile)
    {
        Host = host;
        Process = process;
        ConfigFile = configFile;
        LogFile = logFile;
    }

    public LabHost Host { get; }

    public Process Process { get; }

    public string ConfigFile { get; }

    public string LogFile { get; }

    public static async Task<AgentProcess> StartAsync(Lab lab, LabHost host, CoordinatorProcess coordinator, CancellationToken cancellationToken)
    {
        var identity = await lab.Ceph.CreateHostClientAsync(host.Name, cancellationToken);
        var directory = Path.Combine(host.Directory, "agent");
        Directory.CreateDirectory(directory);
        var configFile = Path.Combine(directory, "agent.json");
        await File.WriteAllTextAsync(configFile, AgentJson(lab, host, identity, coordinator, directory), cancellationToken);
        var logFile = Path.Combine(directory, "agent.log");
        var process = host.StartProcess(BuiltPrograms.Dotnet, [BuiltPrograms.Agent, "--config", configFile], logFile, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" });
        return new AgentProcess(host, process, configFile, logFile);
    }

    /// <summary>agent.json as documented by agent/HaAgent.Agent/Configuration (keys case-insensitive).</summary>
    public static string AgentJson(Lab lab, LabHost host, CephIdentity identity, CoordinatorProcess coordinator, string directory)
    {
        var document = new Dictionary<string, object>
        {
            ["HostId"] = host.Name,
            ["FailureDomains"] = new Dictionary<string, string> { ["rack"] = "r" + host.Number },
            ["CoordinatorEndpoints"] = new[] { CoordinatorProcess.AgentEndpoint },
            ["StateFile"] = Path.Combine(directory, "agent-state.json"),
            ["Libvirt"] = new Dictionary<string, object>
            {
                ["Uri"] = host.LibvirtUri,
                ["ManagedDomainPrefix"] = "",
                ["QemuPidDirectory"] = host.QemuPidDirectory,
            },
            ["Ceph"] = new Dictionary<string, object>
            {
                ["ConfigFile"] = lab.Ceph.ConfigPath,
                ["ClientName"] = identity.Name,
                ["Keyring"] = identity.KeyringPath,
                ["FencerClientName"] = lab.Ceph.Fencer.Name,
                ["FencerKeyring"] = lab.Ceph.Fencer.KeyringPath,
                ["HeartbeatPool"] = lab.Pool,
            },
            ["Intervals"] = new Dictionary<string, object>
            {
                ["Heartbeat"] = "00:00:01",
                ["SelfFenceTimeout"] = "00:00:30",
            },
            ["Watchdog"] = new Dictionary<string, object> { ["Kind"] = "none" },
            // TODO(agentlink): the coordinator link's keys (notes/agentlink.md); TRANSPORT.md names coordinator.secretFile.
            ["Coordinator"] = new Dictionary<string, object> { ["SecretFile"] = coordinator.SecretFile(host.Name) },
        };
        return JsonSerializer.Serialize(document, DemoJson.Default.DictionaryStringObject);
    }
}
