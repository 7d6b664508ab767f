using BenchmarkDotNet.Attributes;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;

namespace HaAgent.Benchmarks.Core;

/// <summary>
/// One coordinator step over a healthy cluster: every host's network heartbeat and VM report consumed, every storage
/// heartbeat read, every host judged. Budget: 10 000 hosts in at most 5 ms, with no allocation per host.
/// </summary>
[MemoryDiagnoser]
public class DecisionStepBenchmark
{
    private const int VmsPerHost = 3;

    private SteadyClusterEnvironment _env = null!;
    private HaCoordinator _coordinator = null!;

    [Params(1_000, 10_000)]
    public int Hosts { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var hosts = new List<HostSpec>(Hosts);
        var identities = new List<HostFenceIdentity>(Hosts);
        var vms = new List<VmSpec>(Hosts * VmsPerHost);
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        var vmsByHost = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var h = 0; h < Hosts; h++)
        {
            var hostId = $"host{h:D5}";
            hosts.Add(new HostSpec(hostId, 64, 256 * 1024, new FailureDomains($"rack{h / 40}", $"power{h / 80}", $"zone{h / 2000}")));
            identities.Add(new HostFenceIdentity(hostId, $"10.{h / 65536}.{h / 256 % 256}.{h % 256}", $"key-{h}"));
            var onHost = new string[VmsPerHost];
            for (var v = 0; v < VmsPerHost; v++)
            {
                var vmId = $"vm{h:D5}-{v}";
                vms.Add(new VmSpec(vmId, 2, 4096, [new CephVolume("rbd", vmId)]));
                placement[vmId] = hostId;
                onHost[v] = vmId;
            }
            vmsByHost[hostId] = onHost;
        }
        _env = new SteadyClusterEnvironment(hosts.Select(h => h.Id).ToList(), vmsByHost, now);
        _coordinator = new HaCoordinator(_env, new NoPlacementPlanner(), new CoordinatorOptions(),
            new HaCluster(hosts, identities, vms, [], placement));
        _env.DeliverRound();
        _coordinator.DoOneIteration(); // takes leadership (one audit line) outside the measurement
    }

    [Benchmark]
    public void DecisionStep()
    {
        _env.DeliverRound();
        _coordinator.DoOneIteration();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_env.Audits != 1)
        {
            throw new InvalidOperationException($"a healthy cluster wrote {_env.Audits} audit records; the benchmark measured decisions, not a steady step");
        }
    }
}
