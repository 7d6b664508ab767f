using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.Protocol.StorageHeartbeat;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Libvirt;
using HaAgent.Testing;

namespace HaAgent.Agent.Tests.Host;

/// <summary>The whole agent process wiring: config in, loops running, heartbeat on real Ceph, watchdog kicked and disarmed on stop.</summary>
[Collection(CephCollection.Name)]
public sealed class AgentHostTests(CephClusterFixture fixture) : IDisposable
{
    private readonly TempDirectory _directory = new("agent-host");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task Run_WithCephAndFileWatchdog_WritesHeartbeatKicksAndDisarmsOnStop()
    {
        var ceph = fixture.Cluster;
        using var node = LibvirtTestNode.Create([new("ha-web", Guid.NewGuid(), Running: true)]);
        var hostId = $"host-{Guid.NewGuid():N}"[..13];
        var agent = fixture.AgentOptions("hostA");
        var watchdog = _directory.File("watchdog");
        var config = _directory.File("agent.json");
        await File.WriteAllBytesAsync(_directory.File("agent.key"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await File.WriteAllTextAsync(config, $$"""
            {
              "hostId": "{{hostId}}",
              "coordinatorEndpoints": [ "https://127.0.0.1:7443" ],
              "stateFile": "{{_directory.File("state.json")}}",
              "coordinator": { "secretFile": "{{_directory.File("agent.key")}}" },
              "libvirt": { "uri": "{{node.Uri}}", "managedDomainPrefix": "ha-" },
              "ceph": {
                "configFile": "{{agent.ConfigFile}}", "clientName": "{{agent.ClientName}}", "keyring": "{{agent.Keyring}}",
                "fencerClientName": "{{agent.FencerClientName}}", "fencerKeyring": "{{agent.FencerKeyring}}", "heartbeatPool": "{{agent.HeartbeatPool}}"
              },
              "intervals": { "heartbeat": "00:00:00.200", "selfFenceTimeout": "00:00:30" },
              "watchdog": { "kind": "file", "path": "{{watchdog}}", "timeout": "00:01:00", "kickInterval": "00:00:00.200" }
            }
            """);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var error = new StringWriter();

        var exit = await AgentProgram.RunAsync(["--config", config], error, stop.Token);

        Assert.True(exit == 0, error.ToString());
        using var reader = fixture.Connect(ceph.HostClient("hostB"));
        using var pool = reader.OpenPool(ceph.Pool);
        var heartbeat = RadosHeartbeatStore.Read(pool, hostId);
        Assert.Equal(HeartbeatReadStatus.Valid, heartbeat.Status);
        Assert.True(heartbeat.Record!.Sequence >= 5, $"sequence {heartbeat.Record.Sequence} after ~3 s at 200 ms");
        var lines = await File.ReadAllLinesAsync(watchdog);
        Assert.Equal("open", lines[0]);
        Assert.True(lines.Count(l => l.StartsWith("kick", StringComparison.Ordinal)) >= 5);
        Assert.Equal("disarm", lines[^1]);
    }
}
