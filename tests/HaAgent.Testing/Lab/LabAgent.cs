using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HaAgent.Testing.Ceph;

namespace HaAgent.Testing.Lab;

/// <summary>
/// One haagent-agent inside a lab host (its namespace and cgroup, so freezing or killing the host takes the agent
/// with it), with a generated agent.json: libvirt through the host's private libvirtd, Ceph identity client.&lt;host&gt;,
/// the least-privilege fencer identity, heartbeats in the lab pool, the coordinator in the storage namespace.
/// </summary>
public sealed class LabAgent
{
    private LabAgent(LabHost host, Process process, string configFile, string logFile)
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

    /// <summary>The agent's persisted order gate (highest epoch seen, obeyed stamps): agent-state.gate.json beside the state file.</summary>
    public string GateFile => Path.Combine(Path.GetDirectoryName(ConfigFile)!, "agent-state.gate.json");

    public static Task<LabAgent> StartAsync(Lab lab, LabHost host, LabCoordinator coordinator, CancellationToken cancellationToken) =>
        StartAsync(lab, host, [LabCoordinator.AgentEndpoint], coordinator.SecretFile(host.Name), cancellationToken);

    /// <summary>An agent that knows every coordinator instance of <paramref name="cluster"/> (agents rotate to the leader).</summary>
    public static Task<LabAgent> StartAsync(Lab lab, LabHost host, LabCoordinatorCluster cluster, CancellationToken cancellationToken) =>
        StartAsync(lab, host, cluster.AgentEndpoints, cluster.SecretFile(host.Name), cancellationToken);

    /// <summary>The agent of <paramref name="host"/> with the given coordinator endpoints and shared-secret file.</summary>
    public static async Task<LabAgent> StartAsync(Lab lab, LabHost host, IReadOnlyList<string> endpoints, string secretFile, CancellationToken cancellationToken)
    {
        var identity = await lab.Ceph.CreateHostClientAsync(host.Name, cancellationToken).ConfigureAwait(false);
        var directory = Path.Combine(host.Directory, "agent");
        Directory.CreateDirectory(directory);
        var configFile = Path.Combine(directory, "agent.json");
        await File.WriteAllTextAsync(configFile, AgentJson(lab, host, identity, endpoints, secretFile, directory), cancellationToken).ConfigureAwait(false);
        var logFile = Path.Combine(directory, "agent.log");
        var process = host.StartProcess(LabPrograms.Dotnet, [LabPrograms.Agent, "--config", configFile], logFile, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" });
        return new LabAgent(host, process, configFile, logFile);
    }

    /// <summary>agent.json as documented by agent/HaAgent.Agent/Configuration (keys case-insensitive).</summary>
    public static string AgentJson(Lab lab, LabHost host, CephIdentity identity, LabCoordinator coordinator, string directory) =>
        AgentJson(lab, host, identity, [LabCoordinator.AgentEndpoint], coordinator.SecretFile(host.Name), directory);

    /// <summary>agent.json with <paramref name="endpoints"/> as CoordinatorEndpoints and <paramref name="secretFile"/> as the link secret.</summary>
    public static string AgentJson(Lab lab, LabHost host, CephIdentity identity, IReadOnlyList<string> endpoints, string secretFile, string directory)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("HostId", host.Name);
            json.WriteStartObject("FailureDomains");
            json.WriteString("rack", "r" + host.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteStartArray("CoordinatorEndpoints");
            foreach (var endpoint in endpoints)
            {
                json.WriteStringValue(endpoint);
            }
            json.WriteEndArray();
            json.WriteString("StateFile", Path.Combine(directory, "agent-state.json"));
            json.WriteStartObject("Libvirt");
            json.WriteString("Uri", host.LibvirtUri);
            json.WriteString("ManagedDomainPrefix", "");
            json.WriteString("QemuPidDirectory", host.QemuPidDirectory);
            json.WriteEndObject();
            json.WriteStartObject("Ceph");
            json.WriteString("ConfigFile", lab.Ceph.ConfigPath);
            json.WriteString("ClientName", identity.Name);
            json.WriteString("Keyring", identity.KeyringPath);
            json.WriteString("FencerClientName", lab.Ceph.Fencer.Name);
            json.WriteString("FencerKeyring", lab.Ceph.Fencer.KeyringPath);
            json.WriteString("HeartbeatPool", lab.Pool);
            json.WriteEndObject();
            json.WriteStartObject("Intervals");
            json.WriteString("Heartbeat", "00:00:01");
            json.WriteString("SelfFenceTimeout", "00:00:30");
            json.WriteEndObject();
            json.WriteStartObject("Watchdog");
            json.WriteString("Kind", "none");
            json.WriteEndObject();
            // The coordinator link (notes/agentlink.md): the shared secret, same file as the coordinator's <host>.key.
            json.WriteStartObject("Coordinator");
            json.WriteString("SecretFile", secretFile);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// kill -9 of this agent, then the same agent (same state and gate files, so its persisted order floor) started
    /// again, with <paramref name="endpoints"/> as its CoordinatorEndpoints when given.
    /// </summary>
    public async Task<LabAgent> RestartAsync(IReadOnlyList<string>? endpoints = null, CancellationToken cancellationToken = default)
    {
        Kill();
        if (endpoints is not null)
        {
            var config = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ConfigFile, cancellationToken).ConfigureAwait(false))!.AsObject();
            config["CoordinatorEndpoints"] = new System.Text.Json.Nodes.JsonArray([.. endpoints.Select(e => (System.Text.Json.Nodes.JsonNode?)System.Text.Json.Nodes.JsonValue.Create(e))]);
            await File.WriteAllTextAsync(ConfigFile, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        }
        var process = Host.StartProcess(LabPrograms.Dotnet, [LabPrograms.Agent, "--config", ConfigFile], LogFile, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" });
        return new LabAgent(Host, process, ConfigFile, LogFile);
    }

    /// <summary>The highest epoch the agent's persisted order gate holds (0 when it has none yet).</summary>
    public long GateEpoch()
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(GateFile));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.Equals("highest", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        if (field.Name.Equals("epoch", StringComparison.OrdinalIgnoreCase))
                        {
                            return field.Value.GetInt64();
                        }
                    }
                }
            }
            return 0;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>kill -9 of the agent alone (the host stays up).</summary>
    public void Kill()
    {
        // Process is nsenter; the agent is its child (nsenter forks to enter the PID namespace).
        Process.Kill(entireProcessTree: true);
        Process.WaitForExit(5000);
    }
}
