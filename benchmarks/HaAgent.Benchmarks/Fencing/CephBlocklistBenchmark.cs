using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using HaAgent.Benchmarks.Common;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing.Ceph;
using Perfolizer.Mathematics.OutlierDetection;

namespace HaAgent.Benchmarks.Fencing;

/// <summary>
/// Time to fence one Ceph client: blocklist add until the fencer holds an osdmap epoch containing the entry, and until
/// the victim's writes are refused (-108). A fresh victim connection per iteration, since a fenced handle is dead.
/// Run: dotnet run -c Release --project benchmarks/HaAgent.Benchmarks -- --filter '*CephBlocklist*'
/// </summary>
[MemoryDiagnoser]
// Every fence counts: a slow one is the tail we budget for, not noise to drop.
[Outliers(OutlierMode.DontRemove)]
[Config(typeof(Config))]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 30, invocationCount: 1)]
public class CephBlocklistBenchmark
{
    private static readonly byte[] Payload = "victim write"u8.ToArray();

    private CephCluster _ceph = null!;
    private RadosCluster _fencer = null!;
    private RadosCluster? _victim;
    private RadosPool? _victimPool;
    private RadosBlocklistConfirmation? _lastFence;
    private int _fencesWithLateAcks;
    private int _lateAcks;
    private int _writesAfterBarrier;
    private RadosPool _fencerPool = null!;

    [Params(CephPaxos.Fast10ms, CephPaxos.Default1s)]
    public CephPaxos Paxos { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _ceph = CephCluster.StartAsync(new CephClusterOptions { FastPaxos = Paxos == CephPaxos.Fast10ms, HostClients = ["victim"] })
            .GetAwaiter().GetResult();
        _fencer = Connect(_ceph.Fencer);
        _fencerPool = _fencer.OpenPool(_ceph.Pool);
    }

    [IterationSetup]
    public void ConnectVictim()
    {
        _victim = Connect(_ceph.HostClient("victim"));
        _victimPool = _victim.OpenPool(_ceph.Pool);
        _victimPool.WriteFull("fence-bench", Payload); // an established OSD session, as a running VM has
    }

    /// <summary>blocklist add until the fencer holds an osdmap epoch that contains the entry.</summary>
    [Benchmark(Description = "add -> epoch confirmed")]
    public uint BlocklistEpochConfirmed()
    {
        _lastFence = _fencer.Blocklist.Add(_victim!.ClientAddress, TimeSpan.FromHours(1));
        return _lastFence.OsdMapEpoch;
    }

    /// <summary>
    /// Add, then the victim keeps writing until the OSD refuses it. OSDs apply a new epoch asynchronously, so a write
    /// can still be acknowledged a few ms after the fencer's confirmation; those are counted and printed at cleanup.
    /// </summary>
    [Benchmark(Description = "add -> victim write refused")]
    public int UntilVictimRefused()
    {
        _lastFence = _fencer.Blocklist.Add(_victim!.ClientAddress, TimeSpan.FromHours(1));
        var deadline = Environment.TickCount64 + 5000;
        for (var acknowledged = 0; Environment.TickCount64 < deadline; acknowledged++)
        {
            try
            {
                _victimPool!.WriteFull("fence-bench", Payload);
            }
            catch (RadosException ex) when (ex.IsBlocklisted)
            {
                if (acknowledged > 0)
                {
                    _fencesWithLateAcks++;
                    _lateAcks += acknowledged;
                }
                return acknowledged;
            }
        }
        throw new InvalidOperationException($"victim {_lastFence.Address} still writing 5 s after epoch {_lastFence.OsdMapEpoch}");
    }

    /// <summary>
    /// The complete fence: add, then one op per placement group so every PG applies the epoch; the victim's very next
    /// write must be refused (a write that still lands is counted and printed at cleanup).
    /// </summary>
    [Benchmark(Description = "add -> all-PG barrier -> next write refused")]
    public int AddAndBarrier()
    {
        _lastFence = _fencer.Blocklist.Add(_victim!.ClientAddress, TimeSpan.FromHours(1));
        var placementGroups = _fencerPool.WaitForOsdMapOnAllPlacementGroups();
        try
        {
            _victimPool!.WriteFull("fence-bench", Payload);
            _writesAfterBarrier++;
        }
        catch (RadosException ex) when (ex.IsBlocklisted)
        {
        }
        return placementGroups;
    }

    [IterationCleanup]
    public void DisposeVictim()
    {
        _victimPool?.Dispose();
        _victim?.Dispose();
        if (_lastFence is not null)
        {
            _fencer.Blocklist.Remove(_lastFence.Address);
            _lastFence = null;
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Console.WriteLine($"// Paxos={Paxos}: {_fencesWithLateAcks} fences had victim writes acknowledged after the epoch was confirmed ({_lateAcks} writes in all); {_writesAfterBarrier} victim writes acknowledged after the all-PG barrier");
        _fencerPool?.Dispose();
        _fencer?.Dispose();
        _ceph?.Dispose();
    }

    private RadosCluster Connect(CephIdentity identity) =>
        RadosCluster.Connect(new RadosConnectOptions { ClientName = identity.Name, ConfigFile = _ceph.ConfigPath, Keyring = identity.KeyringPath });

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, new PercentileColumn(99), StatisticColumn.Max);
        }
    }
}
