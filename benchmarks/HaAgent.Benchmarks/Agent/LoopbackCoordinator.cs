using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Agents.Tls;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// The coordinator's real agent endpoint (Kestrel on 127.0.0.1, plain HTTP or TLS with a test CA the agent trusts by
/// Coordinator:CaFile; HMAC codec, heartbeat acks, long polls, SQLite store for the leader hint) with a sink that
/// stands where the engine would: it leads under epoch 1, notes when each message was accepted, and can queue orders
/// for the agent. What an agent talks to on a healthy cluster, without the engine's decisions: the footprint runs
/// (a live link: heartbeat every second, reports, the long poll) and the event → report benchmark use it.
/// </summary>
internal sealed class LoopbackCoordinator : IAsyncDisposable
{
    private const long Epoch = 1;
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;
    private readonly string _hostId;

    private LoopbackCoordinator(TempDirectory directory, WebApplication app, string hostId, Uri endpoint, string secretFile, string? caFile, Sink sink)
    {
        _directory = directory;
        _app = app;
        _hostId = hostId;
        Endpoint = endpoint;
        SecretFile = secretFile;
        CaFile = caFile;
        Messages = sink;
    }

    public Uri Endpoint { get; }

    /// <summary>The host's secret (base64 of 48 random bytes), for the agent's coordinator:secretFile.</summary>
    public string SecretFile { get; }

    /// <summary>The CA the agent must trust (coordinator:caFile) when the endpoint speaks TLS; null for plain HTTP.</summary>
    public string? CaFile { get; }

    public Sink Messages { get; }

    public static async Task<LoopbackCoordinator> StartAsync(string hostId, bool tls = false)
    {
        var directory = new TempDirectory("loopback-coordinator");
        var secretFile = directory.File("agent.key");
        await File.WriteAllTextAsync(secretFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Store:Sqlite:Path"] = directory.File("coordinator.db"),
            ["Store:Sqlite:InstanceId"] = "bench",
            [$"Agents:Hosts:{hostId}:SecretFile"] = secretFile,
            ["Agents:ReplayCacheCapacity"] = "100000",
        };
        string? caFile = null;
        if (tls)
        {
            var ca = TestCertificates.NewCa();
            caFile = ca.WriteCa(directory.File("ca.pem"));
            var (certificateFile, keyFile) = TestCertificates.WritePem(ca.IssueServer(), directory.File("coordinator"));
            settings["Tls:CertificateFile"] = certificateFile;
            settings["Tls:KeyFile"] = keyFile;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddCoordinatorTls(builder.Configuration);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port, listen =>
        {
            if (tls)
            {
                listen.UseHttps();
            }
        }));
        var sink = new Sink();
        builder.Services.AddCoordinatorStore(builder.Configuration);
        builder.Services.AddAgentEndpoint(builder.Configuration);
        builder.Services.AddSingleton<IAgentMessageSink>(sink);
        var app = builder.Build();
        app.MapAgentEndpoint();
        await app.StartAsync();
        return new LoopbackCoordinator(directory, app, hostId, new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}/"), secretFile, caFile, sink);
    }

    /// <summary>Queues an order for the agent's next poll (stamped under epoch 1) and returns it.</summary>
    public AgentOrder Send(Func<OrderStamp, AgentOrder> build) =>
        _app.Services.GetRequiredService<IAgentOrderOutbox>().Send(_hostId, Epoch, build);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>
    /// Counts messages; each VM report goes to <see cref="OnVmReport"/> and each order result to
    /// <see cref="OnOrderResult"/> with the Stopwatch timestamp it was accepted at.
    /// </summary>
    internal sealed class Sink : IAgentMessageSink
    {
        private long _heartbeats;
        private long _reports;
        private long _other;

        public long CurrentEpoch => Epoch;

        public long Heartbeats => Interlocked.Read(ref _heartbeats);

        public long Reports => Interlocked.Read(ref _reports);

        public long Other => Interlocked.Read(ref _other);

        public long Accepted => Heartbeats + Reports + Other;

        public Action<VmReportMessage, long>? OnVmReport { get; set; }

        public Action<OrderResultMessage, long>? OnOrderResult { get; set; }

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
                case OrderResultMessage result:
                    Interlocked.Increment(ref _other);
                    OnOrderResult?.Invoke(result, at);
                    break;
                default:
                    Interlocked.Increment(ref _other);
                    break;
            }
        }
    }
}
