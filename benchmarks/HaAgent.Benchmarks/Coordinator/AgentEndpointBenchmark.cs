using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Agents.Tls;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// Heartbeat ingestion by the coordinator's agent endpoint, composed like Program (store on SQLite, REST API
/// middleware, agent endpoint) on Kestrel at 127.0.0.1, with the stand-in sink (the engine's Accept is not measured).
/// The agent side signs each heartbeat with the real codec (≈ 3 µs, see HeartbeatCodecBenchmark) and posts it with
/// SocketsHttpHandler over HTTP/1.1 keep-alive, as the agent does.
/// <list type="bullet">
/// <item>"one heartbeat": one request at a time: latency.</item>
/// <item>"64 concurrent": 64 agents at once; time per heartbeat with both cores busy (client and server share them).</item>
/// <item>"endpoint handler only": the endpoint's own work (read body, verify, decode, hand over, sign the ack) on one
/// core, without HTTP parsing or sockets.</item>
/// </list>
/// At cleanup it prints the process CPU time per heartbeat over the whole run (client + server, both in this process)
/// and the load average.
/// <see cref="Transport"/>: "http1.1" (plain, keep-alive), "h2c" (HTTP/2 without TLS, prior knowledge, on an
/// HTTP/2-only Kestrel port), "https1.1" and "h2" (TLS with the coordinator's Tls:CertificateFile wiring, ALPN), each
/// agent with its own HttpClient and so its own connection, as real agents have.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*AgentEndpoint*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class AgentEndpointBenchmark
{
    private const int Concurrency = 64;
    private const int Hosts = 64;

    private readonly byte[][] _secrets = [.. Enumerable.Range(0, Hosts).Select(_ => RandomNumberGenerator.GetBytes(32))];
    private TempDirectory _directory = null!;
    private WebApplication _app = null!;
    private HttpClient[] _clients = null!;
    private ProtocolCodec[] _agents = null!;
    private AgentEndpoint _endpoint = null!;
    private AgentEndpointMetrics _metrics = null!;
    private long _sequence;
    private TimeSpan _cpuAtStart;
    private long _heartbeatsAtStart;

    [Params("http1.1", "h2c", "https1.1", "h2")]
    public string Transport { get; set; } = "http1.1";

    private bool Tls => Transport is "https1.1" or "h2";

    [GlobalSetup]
    public void Setup()
    {
        _directory = new TempDirectory("endpoint-bench");
        var keys = Directory.CreateDirectory(_directory.File("keys")).FullName;
        for (var i = 0; i < Hosts; i++)
        {
            File.WriteAllText(Path.Combine(keys, HostId(i) + ".key"), Convert.ToBase64String(_secrets[i]));
        }
        var port = FreePort.Next();
        var ca = TestCertificates.NewCa();
        var (certificateFile, keyFile) = TestCertificates.WritePem(ca.IssueServer(), _directory.File("server"));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Store:Sqlite:Path"] = _directory.File("coordinator.db"),
            ["Store:Sqlite:InstanceId"] = "bench",
            ["Agents:SecretDirectory"] = keys,
            ["Tls:CertificateFile"] = certificateFile,
            ["Tls:KeyFile"] = keyFile,
        });
        builder.Logging.ClearProviders();
        // Before UseKestrel: ListenOptions.UseHttps() reads the HTTPS defaults this sets up when it is called.
        builder.Services.AddCoordinatorTls(builder.Configuration);
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = Transport switch
            {
                "h2c" => HttpProtocols.Http2,
                "http1.1" => HttpProtocols.Http1,
                _ => HttpProtocols.Http1AndHttp2,
            };
            if (Tls)
            {
                listen.UseHttps();
            }
        }));
        builder.Services.AddCoordinatorStore(builder.Configuration);
        builder.Services.AddCoordinatorApi(builder.Configuration);
        builder.Services.AddAgentEndpoint(builder.Configuration);
        builder.Services.AddSingleton<IAgentMessageSink, StoreLeadershipSink>();
        _app = builder.Build();
        _app.MapCoordinatorApi();
        _app.MapAgentEndpoint();
        _app.StartAsync().GetAwaiter().GetResult();

        var sink = _app.Services.GetRequiredService<IAgentMessageSink>();
        var deadline = Stopwatch.StartNew();
        while (sink.CurrentEpoch <= 0)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("the coordinator did not lead within 30 s");
            }
            Thread.Sleep(20);
        }
        _endpoint = _app.Services.GetRequiredService<AgentEndpoint>();
        _metrics = _app.Services.GetRequiredService<AgentEndpointMetrics>();
        _agents = [.. Enumerable.Range(0, Hosts).Select(i =>
            new ProtocolCodec(ProtocolDirection.CoordinatorToAgent, HostSecrets.Single(HostId(i), _secrets[i]), TimeProvider.System))];
        _clients = [.. Enumerable.Range(0, Hosts).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust the benchmark's CA only, the way the agent checks Coordinator:CaFile (chain to a custom root).
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 leaf && chain.Build(leaf) && errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateChainErrors;
                },
            },
        })
        {
            BaseAddress = new Uri($"{(Tls ? "https" : "http")}://127.0.0.1:{port}"),
            DefaultRequestVersion = Transport is "h2" or "h2c" ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        })];
        // Connections (and TLS handshakes) are made before the measurement, as long-lived agents have them.
        for (var i = 0; i < Hosts; i++)
        {
            PostAsync(i).GetAwaiter().GetResult();
        }
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _heartbeatsAtStart = _metrics[AgentCounter.MessageAccepted];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
        var heartbeats = _metrics[AgentCounter.MessageAccepted] - _heartbeatsAtStart;
        var refused = _metrics[AgentCounter.Expired] + _metrics[AgentCounter.Replayed] + _metrics[AgentCounter.Unauthenticated] + _metrics[AgentCounter.Malformed];
        if (heartbeats > 0)
        {
            var perHeartbeat = cpu.TotalMicroseconds / heartbeats;
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
            Console.WriteLine($"// AgentEndpoint CPU [{Transport}]: {heartbeats} heartbeats accepted ({refused} refused), {cpu.TotalSeconds:F1} s CPU => " +
                $"{perHeartbeat:F1} µs CPU per heartbeat (client + server); 10 000 hosts at 1 Hz => {perHeartbeat * 10_000 / 1e6 / 2 * 100:F1} % of 2 cores; loadavg {load}");
        }
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        _app.StopAsync().GetAwaiter().GetResult();
        ((IAsyncDisposable)_app).DisposeAsync().AsTask().GetAwaiter().GetResult();
        _directory.Dispose();
    }

    [Benchmark(Description = "one heartbeat (Kestrel loopback)")]
    public async Task<int> OneHeartbeat() => await PostAsync((int)(_sequence % Hosts));

    [Benchmark(Description = "64 concurrent (Kestrel loopback)", OperationsPerInvoke = Concurrency)]
    public async Task<int> ConcurrentHeartbeats()
    {
        var posts = new Task<int>[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            posts[i] = PostAsync(i);
        }
        var total = 0;
        foreach (var status in await Task.WhenAll(posts))
        {
            total += status;
        }
        return total;
    }

    [Benchmark(Description = "endpoint handler only")]
    public async Task<long> HandlerOnly()
    {
        var host = (int)(_sequence % Hosts);
        var frame = Frame(host);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = AgentEndpoint.FrameContentType;
        context.Request.ContentLength = frame.Length;
        context.Request.Body = new MemoryStream(frame, writable: false);
        var response = new MemoryStream();
        context.Response.Body = response;
        await _endpoint.HandleMessageAsync(context);
        return context.Response.StatusCode == StatusCodes.Status200OK ? response.Length : throw new InvalidOperationException($"status {context.Response.StatusCode}");
    }

    /// <summary>
    /// A steadier figure than a short BenchmarkDotNet job: for each round and each transport (order rotated per round,
    /// so JIT warm-up and drifting machine load do not favour one), set up, post <paramref name="warmup"/> heartbeats
    /// from 64 concurrent agents, then <paramref name="measured"/> more, and print process CPU (client + server) and
    /// wall time per heartbeat with the load average. Run:
    /// dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- agent-transport [rounds] [heartbeats]
    /// </summary>
    public static async Task<int> MeasureTransportsAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
        var measured = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64_000;
        var warmup = measured / 4;
        string[] transports = ["http1.1", "h2c", "https1.1", "h2"];
        var results = transports.ToDictionary(t => t, _ => new List<(double Cpu, double Wall, string Load)>());
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < transports.Length; k++)
            {
                var transport = transports[(k + round) % transports.Length];
                var bench = new AgentEndpointBenchmark { Transport = transport };
                bench.Setup();
                try
                {
                    for (var i = 0; i < warmup / Concurrency; i++)
                    {
                        await bench.ConcurrentHeartbeats().ConfigureAwait(false);
                    }
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var wall = Stopwatch.StartNew();
                    for (var i = 0; i < measured / Concurrency; i++)
                    {
                        await bench.ConcurrentHeartbeats().ConfigureAwait(false);
                    }
                    var cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / measured;
                    var wallUs = wall.Elapsed.TotalMicroseconds / measured;
                    var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
                    results[transport].Add((cpuUs, wallUs, load));
                    Console.WriteLine($"round {round + 1} {transport,-9} {cpuUs,7:F1} µs CPU/heartbeat  {wallUs,7:F1} µs wall/heartbeat  loadavg {load}");
                }
                finally
                {
                    bench._cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
                    bench.Cleanup();
                }
            }
        }
        Console.WriteLine($"median over {rounds} rounds of {measured} heartbeats (64 concurrent agents, client + server CPU in one process):");
        foreach (var transport in transports)
        {
            var cpu = results[transport].Select(r => r.Cpu).Order().ToList();
            var wall = results[transport].Select(r => r.Wall).Order().ToList();
            Console.WriteLine($"  {transport,-9} {cpu[cpu.Count / 2],7:F1} µs CPU (min {cpu[0]:F1}, max {cpu[^1]:F1})  {wall[wall.Count / 2],7:F1} µs wall; loadavg {string.Join(" | ", results[transport].Select(r => r.Load))}");
        }
        return 0;
    }

    private static string HostId(int i) => $"bench-host-{i:D3}";

    private byte[] Frame(int host) =>
        _agents[host].Encode(new HeartbeatMessage(HostId(host), 1, Interlocked.Increment(ref _sequence), new OrderStamp(1, 0)), HostId(host));

    private async Task<int> PostAsync(int host)
    {
        using var content = new ByteArrayContent(Frame(host));
        content.Headers.ContentType = new MediaTypeHeaderValue(AgentEndpoint.FrameContentType);
        using var response = await _clients[host].PostAsync(AgentEndpoint.MessagesPath, content);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"status {(int)response.StatusCode}");
        }
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }
}
