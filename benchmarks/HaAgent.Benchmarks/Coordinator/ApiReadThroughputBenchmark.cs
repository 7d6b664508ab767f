using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HaAgent.Benchmarks.Store;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// Simple reads — GET /v1/vms/{id} and GET /v1/hosts/{id}, alternating, random ids — from <see cref="Clients"/>
/// concurrent clients over keep-alive loopback connections to a real coordinator process holding 200 000 VMs.
/// Client and server share this machine's cores, so the server's CPU per request is printed too: it is what bounds
/// the rate a coordinator on 2 cores can serve to clients elsewhere. Target: ≥ 20 000 reads/s.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*ApiReadThroughput*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ApiReadThroughputBenchmark
{
    private const int RequestsPerInvoke = 4000;

    private ApiBenchmarkServer? _server;
    private HttpClient _client = null!;
    private TimeSpan _serverCpu;
    private TimeSpan _clientCpu;
    private TimeSpan _wall;
    private long _requests;
    private string _measured = "";

    [Params(StoreKind.Sqlite, StoreKind.Etcd)]
    public StoreKind Store { get; set; }

    [Params(32)]
    public int Clients { get; set; }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithInvocationCount(1).WithUnrollFactor(1)
                .WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(new ApiThroughputColumn());
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _server = ApiBenchmarkServer.Start(Store);
        _client = _server.Client(Clients);
        // The server must be past tiered JIT (a profile of a short warm-up showed ~45 % of its CPU in the JIT and
        // freshly jitted code), or its CPU per request measures compilation; then only the runs below count.
        for (var i = 0; i < 10; i++)
        {
            Reads().GetAwaiter().GetResult();
            Healthz().GetAwaiter().GetResult();
        }
        Thread.Sleep(TimeSpan.FromSeconds(2));
        (_serverCpu, _clientCpu, _wall, _requests) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_requests > 0)
        {
            Console.WriteLine(
                $"// {_measured}, {Store}, {Clients} clients: {_requests / _wall.TotalSeconds:N0} req/s; server CPU {_serverCpu.TotalMicroseconds / _requests:F1} µs/request " +
                $"({_serverCpu / _wall:F2} cores busy) → ~{2 * 1e6 / (_serverCpu.TotalMicroseconds / _requests):N0} req/s on 2 server cores; " +
                $"client CPU {_clientCpu.TotalMicroseconds / _requests:F1} µs/request");
        }
        _client.Dispose();
        _server?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke, Description = "GET /v1/vms/{id} + /v1/hosts/{id}")]
    public Task<int> Reads() => RunAsync("vm+host reads", static (random, i) => (i & 1) == 0
        ? "/v1/vms/" + ApiBenchmarkServer.VmId(random.Next(ApiBenchmarkServer.VmCount))
        : "/v1/hosts/" + ApiBenchmarkServer.HostId(random.Next(ApiBenchmarkServer.HostCount)));

    /// <summary>The floor: the same clients on /healthz (no auth, no store) — what HTTP and Kestrel alone cost here.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke, Description = "GET /healthz (pipeline floor)")]
    public Task<int> Healthz() => RunAsync("healthz", static (_, _) => "/healthz");

    private async Task<int> RunAsync(string what, Func<Random, int, string> path)
    {
        _measured = what;
        var serverBefore = _server!.ProcessorTime;
        var clientBefore = Environment.CpuUsage.TotalTime;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var workers = new Task<int>[Clients];
        for (var c = 0; c < Clients; c++)
        {
            workers[c] = WorkerAsync(c, RequestsPerInvoke / Clients, path);
        }
        var bytes = (await Task.WhenAll(workers)).Sum();
        _wall += System.Diagnostics.Stopwatch.GetElapsedTime(started);
        _serverCpu += _server.ProcessorTime - serverBefore;
        _clientCpu += Environment.CpuUsage.TotalTime - clientBefore;
        _requests += RequestsPerInvoke / Clients * Clients;
        return bytes;
    }

    private async Task<int> WorkerAsync(int worker, int count, Func<Random, int, string> next)
    {
        var random = new Random(worker);
        var bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var path = next(random, i);
            using var response = await _client.GetAsync(new Uri(path, UriKind.Relative)).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            bytes += response.StatusCode == HttpStatusCode.OK ? body.Length : throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
        }
        return bytes;
    }
}
