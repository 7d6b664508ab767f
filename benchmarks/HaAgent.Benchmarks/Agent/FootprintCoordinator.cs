using System.Diagnostics;
using System.Net;
using HaAgent.Benchmarks.Coordinator;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Agents.Tls;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Testing;
using HaAgent.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// A real coordinator agent endpoint (store, API, endpoint, the stand-in sink) in the benchmark process, over plain
/// HTTP or TLS (a test CA the agent trusts by Coordinator:CaFile), so the footprint includes a live link: heartbeat
/// every second, reports, the long poll.
/// </summary>
internal sealed class FootprintCoordinator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FootprintCoordinator(WebApplication app, string endpoint, string? caFile)
    {
        _app = app;
        Endpoint = endpoint;
        CaFile = caFile;
    }

    public string Endpoint { get; }

    public string? CaFile { get; }

    public long Accepted => _app.Services.GetRequiredService<AgentEndpointMetrics>()[AgentCounter.MessageAccepted];

    public static async Task<FootprintCoordinator> StartAsync(TempDirectory directory, string hostId, string secretFile, bool tls)
    {
        var keys = Directory.CreateDirectory(directory.File("coordinator-keys")).FullName;
        File.Copy(secretFile, Path.Combine(keys, hostId + ".key"));
        var ca = TestCertificates.NewCa();
        var caFile = ca.WriteCa(directory.File("ca.pem"));
        var (certificateFile, keyFile) = TestCertificates.WritePem(ca.IssueServer(), directory.File("coordinator"));
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["Store:Sqlite:Path"] = directory.File("coordinator.db"),
            ["Store:Sqlite:InstanceId"] = "footprint",
            ["Agents:SecretDirectory"] = keys,
        };
        if (tls)
        {
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
        builder.Services.AddCoordinatorStore(builder.Configuration);
        builder.Services.AddCoordinatorApi(builder.Configuration);
        builder.Services.AddAgentEndpoint(builder.Configuration);
        builder.Services.AddSingleton<IAgentMessageSink, StoreLeadershipSink>();
        var app = builder.Build();
        app.MapCoordinatorApi();
        app.MapAgentEndpoint();
        await app.StartAsync().ConfigureAwait(false);
        var sink = app.Services.GetRequiredService<IAgentMessageSink>();
        var waited = Stopwatch.StartNew();
        while (sink.CurrentEpoch <= 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
        return new FootprintCoordinator(app, $"{(tls ? "https" : "http")}://127.0.0.1:{port}/", tls ? caFile : null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
