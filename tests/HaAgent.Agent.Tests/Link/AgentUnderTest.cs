using System.Security.Cryptography;
using HaAgent.Agent.Configuration;
using HaAgent.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HaAgent.Agent.Tests.Link;

/// <summary>
/// The whole agent as the daemon builds it (agent.json → <see cref="AgentHost"/> → hosted loops), in this process,
/// talking to <see cref="TestCoordinator"/>s over loopback HTTP. <see cref="RestartAsync"/> stops it and builds it
/// again from the same config and state files, as a process restart would.
/// </summary>
internal sealed class AgentUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private IHost? _host;

    public AgentUnderTest(TempDirectory directory, string hostId)
    {
        _directory = directory;
        HostId = hostId;
        Secret = RandomNumberGenerator.GetBytes(48);
        SecretFile = directory.File("agent.key");
        File.WriteAllText(SecretFile, Convert.ToBase64String(Secret));
    }

    public string HostId { get; }

    public byte[] Secret { get; }

    public string SecretFile { get; }

    public string StateFile => _directory.File("state.json");

    public string ConfigFile => _directory.File("agent.json");

    public IServiceProvider Services => _host!.Services;

    /// <summary>Writes agent.json. <paramref name="extra"/> is spliced in as further top-level members (",\"ceph\": {...}").</summary>
    public void Configure(IEnumerable<string> endpoints, string libvirtUri, string heartbeat = "00:00:00.200", string selfFenceTimeout = "00:00:30",
        string extra = "")
    {
        File.WriteAllText(ConfigFile, $$"""
            {
              "hostId": "{{HostId}}",
              "coordinatorEndpoints": [ {{string.Join(", ", endpoints.Select(e => $"\"{e}\""))}} ],
              "stateFile": "{{StateFile}}",
              "coordinator": {
                "secretFile": "{{SecretFile}}", "connectTimeout": "00:00:01", "requestTimeout": "00:00:01", "pollTimeout": "00:00:05",
                "retryDelay": "00:00:00.100", "reportInterval": "00:00:10", "reportCoalesce": "00:00:00.020"
              },
              "libvirt": { "uri": "{{libvirtUri}}", "managedDomainPrefix": "ha-", "openTimeout": "00:00:05" },
              "intervals": {
                "heartbeat": "{{heartbeat}}", "selfFenceTimeout": "{{selfFenceTimeout}}", "selfFenceKillGrace": "00:00:01",
                "reconcile": "00:00:02", "vmProbe": "00:00:00.200", "fenceStepTimeout": "00:00:05"
              },
              "watchdog": { "kind": "none" }{{extra}}
            }
            """);
    }

    public async Task StartAsync()
    {
        _host = AgentHost.CreateBuilder(["--config", ConfigFile]).Build();
        _ = _host.Services.GetRequiredService<AgentOptions>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StartAsync(bound.Token);
    }

    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await host.StopAsync(bound.Token);
            host.Dispose();
        }
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await StopAsync();
}
