using System.Net;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using HaAgent.Benchmarks.Common;
using Perfolizer.Mathematics.OutlierDetection;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// GET /v1/vms?limit=1000 walking all 200 pages of 200 000 VMs, one page per measurement, through a real coordinator
/// process over loopback HTTP (client in this process). Target: p99 per page ≤ 20 ms. EtcdNoCache is etcd without the
/// read cache (every page an etcd range, O(keys after the cursor) in etcd 3.4) — the "before" figure.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*ApiPaging*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ApiPagingBenchmark
{
    private const int PageSize = 1000;
    private const int Pages = ApiBenchmarkServer.VmCount / PageSize;

    private ApiBenchmarkServer? _server;
    private HttpClient _client = null!;
    private int _page;
    private TimeSpan _serverCpu;
    private int _measuredPages;

    [Params(ApiStoreSetup.Sqlite, ApiStoreSetup.Etcd, ApiStoreSetup.EtcdNoCache)]
    public ApiStoreSetup Store { get; set; }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // One page per measurement and two whole walks, so p99 is over 400 single pages.
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(20)
                .WithIterationCount(2 * Pages)
                .WithOutlierMode(OutlierMode.DontRemove)
                // In process: the server is a process of its own anyway, and building a boilerplate project can
                // exceed BenchmarkDotNet's 2-minute build timeout on a loaded 2-core machine.
                .WithToolchain(InProcessEmitToolchain.Instance));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _server = ApiBenchmarkServer.Start(Store);
        _client = _server.Client(1);
        // Three walks before BenchmarkDotNet's own warm-up: the server's hot paths are past tiered JIT when measured.
        for (var walk = 0; walk < 3; walk++)
        {
            VerifyWalkAsync().GetAwaiter().GetResult();
        }
        Thread.Sleep(TimeSpan.FromSeconds(1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_measuredPages > 0)
        {
            Console.WriteLine($"// {Store}: server CPU {_serverCpu.TotalMilliseconds / _measuredPages:F2} ms per page of {PageSize} over {_measuredPages} pages; load average {LoadAverage.Read()}");
        }
        _client.Dispose();
        _server?.Dispose();
    }

    [Benchmark(Description = "GET /v1/vms?limit=1000 (one page of a walk)")]
    public async Task<int> Page()
    {
        var page = _page;
        _page = (_page + 1) % Pages;
        var cpuBefore = _server!.ProcessorTime;
        using var response = await _client.GetAsync(new Uri(PagePath(page), UriKind.Relative), HttpCompletionOption.ResponseContentRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        _serverCpu += _server.ProcessorTime - cpuBefore;
        _measuredPages++;
        return response.StatusCode == HttpStatusCode.OK ? body.Length : throw new InvalidOperationException($"page {page}: {(int)response.StatusCode}");
    }

    /// <summary>Keyset paging: the cursor of page k is the last id of page k-1, known in advance for the seeded ids.</summary>
    private static string PagePath(int page) =>
        page == 0 ? $"/v1/vms?limit={PageSize}" : $"/v1/vms?limit={PageSize}&after={ApiBenchmarkServer.VmId(page * PageSize - 1)}";

    /// <summary>Once, outside the measurement: every page holds 1000 VMs and its next cursor is the one used above.</summary>
    private async Task VerifyWalkAsync()
    {
        for (var page = 0; page < Pages; page++)
        {
            using var document = JsonDocument.Parse(await _client.GetByteArrayAsync(new Uri(PagePath(page), UriKind.Relative)));
            var items = document.RootElement.GetProperty("items");
            var next = document.RootElement.GetProperty("next");
            var expectedNext = page == Pages - 1 ? null : ApiBenchmarkServer.VmId((page + 1) * PageSize - 1);
            if (items.GetArrayLength() != PageSize || next.GetString() != expectedNext
                || items[0].GetProperty("id").GetString() != ApiBenchmarkServer.VmId(page * PageSize) || items[0].GetProperty("version").GetInt64() <= 0)
            {
                throw new InvalidOperationException($"page {page} is not what the walk expects: {items.GetArrayLength()} items, next {next}");
            }
        }
    }
}
