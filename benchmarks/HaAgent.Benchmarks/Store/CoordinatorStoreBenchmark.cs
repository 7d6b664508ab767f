using BenchmarkDotNet.Attributes;
using HaAgent.Coordinator.Store;
using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Coordinator.Store.Sqlite;
using HaAgent.Testing;
using HaAgent.Testing.Etcd;

namespace HaAgent.Benchmarks.Store;

/// <summary>
/// One coordinator's reads and fenced writes against each store, one call at a time (the coordinator's loop does not
/// pipeline): SQLite file in WAL with synchronous=FULL on local disk, etcd single member on loopback.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*CoordinatorStore*'
/// </summary>
[MemoryDiagnoser]
public class CoordinatorStoreBenchmark
{
    private const int Documents = 200;
    private static readonly byte[] Payload = new byte[512];

    private TempDirectory? _directory;
    private EtcdServer? _etcd;
    private ICoordinatorStore _store = null!;
    private Leadership _leadership = null!;
    private long _hotVersion;
    private int _next;

    [Params(StoreKind.Sqlite, StoreKind.Etcd)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (Store == StoreKind.Sqlite)
        {
            _directory = new TempDirectory("store-bench");
            _store = SqliteCoordinatorStore.Open(new SqliteStoreOptions { Path = _directory.File("bench.db"), InstanceId = "bench" });
        }
        else
        {
            _etcd = EtcdServer.StartAsync().GetAwaiter().GetResult();
            _store = new EtcdCoordinatorStore(new EtcdStoreOptions { Endpoints = _etcd.ClientUrl, InstanceId = "bench" });
        }
        _leadership = _store.TryAcquireLeadershipAsync(CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException("nobody else can lead a fresh store");
        for (var i = 0; i < Documents; i++)
        {
            _store.PutAsync(_leadership, $"vms/{i:D4}", Payload, null, CancellationToken.None).GetAwaiter().GetResult();
        }
        _hotVersion = _store.PutAsync(_leadership, "hot", Payload, null, CancellationToken.None).GetAwaiter().GetResult().Version;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _etcd?.Dispose();
        _directory?.Dispose();
    }

    [Benchmark(Description = "get one document")]
    public async Task<long> Get() =>
        (await _store.GetAsync($"vms/{_next++ % Documents:D4}", CancellationToken.None))?.Version ?? 0;

    [Benchmark(Description = "list page of 100")]
    public async Task<int> ListPage() =>
        (await _store.ListAsync("vms/", null, 100, CancellationToken.None)).Documents.Count;

    /// <summary>Fenced on leadership only.</summary>
    [Benchmark(Description = "put (fenced)")]
    public async Task<long> FencedPut() =>
        (await _store.PutAsync(_leadership, $"vms/{_next++ % Documents:D4}", Payload, null, CancellationToken.None)).Version;

    /// <summary>Fenced on leadership and compare-and-swap on the document's version.</summary>
    [Benchmark(Description = "put (fenced + CAS)")]
    public async Task<long> FencedCompareAndSwap()
    {
        var result = await _store.PutAsync(_leadership, "hot", Payload, _hotVersion, CancellationToken.None);
        _hotVersion = result.Succeeded ? result.Version : throw new InvalidOperationException($"unexpected {result}");
        return _hotVersion;
    }

    /// <summary>A decision's footprint: ten documents and its audit record in one fenced transaction.</summary>
    [Benchmark(Description = "commit 10 puts + audit")]
    public async Task<long> CommitBatch()
    {
        var start = _next;
        _next += 10;
        var writes = Enumerable.Range(start, 10).Select(i => DocumentWrite.Put($"vms/{i % Documents:D4}", Payload)).ToList();
        return (await _store.CommitAsync(_leadership, writes, Payload.AsMemory(0, 128), CancellationToken.None)).Revision;
    }

    [Benchmark(Description = "audit append")]
    public async Task<long> AppendAudit() =>
        await _store.AppendAuditAsync(_leadership, Payload.AsMemory(0, 128), CancellationToken.None);
}
