using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// The coordinator's real agent endpoint (Kestrel on 127.0.0.1, HMAC codec, heartbeat acks, long polls, SQLite store
/// for the leader hint) with a sink that stands where the engine would: it leads under epoch 1 and notes when each
/// message was accepted. What an agent talks to on a healthy cluster, without the engine's decisions.
/// </summary>
internal sealed class LoopbackCoordinator : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;

    private LoopbackCoordinator(TempDirectory directory, WebApplication app, Uri endpoint, string secretFile, Sink sink)
    {
        _directory = directory;
        _app = app;
        Endpoint = endpoint;
        SecretFile = secretFile;
        Messages = sink;
    }

    public Uri Endpoint { get; }

    /// <summary>The host's secret (base64 of 48 random bytes), for the agent's coordinator:secretFile.</summary>
    public string SecretFile { get; }

    public Sink Messages { get; }

    public static async Task<LoopbackCoordinator> StartAsync(string hostId)
    {
        var directory = new TempDirectory("loopback-coordinator");
        var secretFile = directory.File("agent.key");
        await File.WriteAllTextAsync(secretFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Sqlite:Path"] = directory.File("coordinator.db"),
            ["Store:Sqlite:InstanceId"] = "bench",
            [$"Agents:Hosts:{hostId}:SecretFile"] = secretFile,
            ["Agents:ReplayCacheCapacity"] = "100000",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var sink = new Sink();
        builder.Services.AddCoordinatorStore(builder.Configuration);
        builder.Services.AddAgentEndpoint(builder.Configuration);
        builder.Services.AddSingleton<IAgentMessageSink>(sink);
        var app = builder.Build();
        app.MapAgentEndpoint();
        await app.StartAsync();
        return new LoopbackCoordinator(directory, app, new Uri($"http://127.0.0.1:{port}/"), secretFile, sink);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>Counts messages; each VM report goes to <see cref="OnVmReport"/> with the Stopwatch timestamp it was accepted at.</summary>
    internal sealed class Sink : IAgentMessageSink
    {
        private long _heartbeats;
        private long _reports;
        private long _other;

        public long CurrentEpoch => 1;

        public long Heartbeats => Interlocked.Read(ref _heartbeats);

        public long Reports => Interlocked.Read(ref _reports);

        public long Other => Interlocked.Read(ref _other);

        public Action<VmReportMessage, long>? OnVmReport { get; set; }

        public void Accept(AgentMessage message, DateTimeOffset receivedAt)
        {
            var at = Stopwatch.GetTimestamp();
            switch (message)
            {
                case HeartbeatMessage:
                    Interlocked.Increment(ref _heartbeats);
                    break;
                case VmReportMessage report:
                    Interlocked.Increment(ref _reports);
                    OnVmReport?.Invoke(report, at);
                    break;
                default:
                    Interlocked.Increment(ref _other);
                    break;
            }
        }
    }
}
