using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HaAgent.Benchmarks.Common;
using HaAgent.Testing;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// Simple reads against a real coordinator process by a separate load generator process, wrk (Debian package wrk):
/// GET /v1/vms/{id} (or /v1/hosts/{id}) on random ids of the 200 000-VM cluster, keep-alive loopback connections. It is
/// what a monitoring system polls per VM/host; on etcd it is answered by the read cache. Each measurement is one wrk
/// run of <see cref="Seconds"/> s; the printed line has req/s, wrk's latency p50/p99, the coordinator's CPU per request
/// (from /proc, so it holds even while wrk competes for the same cores) and the load average. Target: ≥ 20 000 reads/s.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*ApiWrk*'
/// </summary>
[Config(typeof(Config))]
public class ApiWrkBenchmark
{
    private ApiBenchmarkServer? _server;
    private string _script = "";
    private string _wrk = "";

    [Params(ApiStoreSetup.Sqlite, ApiStoreSetup.Etcd)]
    public ApiStoreSetup Store { get; set; }

    [Params("vm", "host")]
    public string Target { get; set; } = "vm";

    [Params(64)]
    public int Connections { get; set; }

    [Params(25)]
    public int Seconds { get; set; }

    private sealed class Config : ManualConfig
    {
        public Config() =>
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
                .WithToolchain(InProcessEmitToolchain.Instance));
    }

    [GlobalSetup]
    public void Setup()
    {
        _wrk = ProcessRunner.Which("wrk") ?? throw new InvalidOperationException("wrk is not installed (apt-get install wrk)");
        _server = ApiBenchmarkServer.Start(Store);
        _script = Path.Combine(Path.GetTempPath(), $"haagent-wrk-{Environment.ProcessId}.lua");
        var (path, count) = Target == "vm" ? ("/v1/vms/vm-%06d", ApiBenchmarkServer.VmCount) : ("/v1/hosts/h-%04d", ApiBenchmarkServer.HostCount);
        File.WriteAllText(_script, $$"""
            math.randomseed(20261126)
            wrk.headers["Authorization"] = "Bearer {{ApiBenchmarkServer.ViewerToken}}"
            request = function()
              return wrk.format("GET", string.format("{{path}}", math.random(0, {{count - 1}})))
            end
            """);
        // Past tiered JIT before anything counts.
        RunWrk(10);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server?.Dispose();
        File.Delete(_script);
    }

    [Benchmark(Description = "wrk: GET by id, random ids")]
    public double Run() => RunWrk(Seconds);

    private double RunWrk(int seconds)
    {
        var cpuBefore = _server!.ProcessorTime;
        var output = ProcessRunner.RunAsync(_wrk, [
            "-t", "2", "-c", Connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--latency", "-s", _script,
            _server.BaseAddress.ToString().TrimEnd('/'),
        ], TimeSpan.FromSeconds(seconds + 30)).GetAwaiter().GetResult();
        var cpu = _server.ProcessorTime - cpuBefore;
        var load = LoadAverage.Read();
        var text = output.StandardOutput;
        var requests = long.Parse(Regex.Match(text, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
        var rate = double.Parse(Regex.Match(text, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var p50 = Regex.Match(text, @"50%\s+(\S+)").Groups[1].Value;
        var p99 = Regex.Match(text, @"99%\s+(\S+)").Groups[1].Value;
        var non2xx = Regex.Match(text, @"Non-2xx or 3xx responses: (\d+)").Groups[1].Value;
        Console.WriteLine(
            $"// wrk {Store} {Target} c={Connections} {seconds}s: {rate:N0} req/s, p50 {p50}, p99 {p99}, non-2xx {(non2xx.Length == 0 ? "0" : non2xx)}; " +
            $"coordinator CPU {cpu.TotalMicroseconds / requests:F1} µs/request ({cpu.TotalSeconds / seconds:F2} cores); load average {load}");
        return rate;
    }
}
