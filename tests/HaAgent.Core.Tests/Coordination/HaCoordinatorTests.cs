using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Coordination;

public sealed class HaCoordinatorTests
{
    private static readonly string[] HostIds = ["h1", "h2", "h3", "h4"];

    private readonly RecordingEnvironment _env = new();
    private readonly HaCoordinator _coordinator;
    private long _sequence;

    public HaCoordinatorTests()
    {
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec>
        {
            new("web1", 2, 4096, [new CephVolume("rbd", "web1")]),
            new("db1", 2, 4096, [new IscsiVolume("iqn.2026-01.lab:db", 0)]),
        };
        var placement = new Dictionary<string, string>(StringComparer.Ordinal) { ["web1"] = "h2", ["db1"] = "h2" };
        _coordinator = new HaCoordinator(_env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement));
    }

    [Fact]
    public void DoOneIteration_NetworkSilentButStorageAdvancing_JudgesIsolatedAndFencesWithoutRestarting()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: []);

        Assert.Equal(HostState.Fencing, _coordinator.HostStateOf("h2"));
        Assert.Contains(_env.Audits, a => a.Decision == "status change suspect => isolated");
        Assert.Empty(_env.Starts);
        var fence = Assert.Single(_env.Fences);
        Assert.Equal("h2", fence.VictimHostId);
        Assert.Equal(1, fence.Token);
        Assert.Contains(fence.Targets, t => t is CephBlocklistTarget { Addresses: ["127.99.0.2"] });
        Assert.Contains(fence.Targets, t => t is IscsiPreemptTarget { Lun: 0, VictimKey: "key-h2" });
    }

    [Fact]
    public void DoOneIteration_VerifiedFence_ReleasesAndRestartsEveryVm()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        var fence = Assert.Single(_env.Fences);

        _env.Observe(ProvenResult(fence));
        RunSeconds(1, silent: ["h2"], storageSilent: ["h2"]);

        Assert.Equal(HostState.Fenced, _coordinator.HostStateOf("h2"));
        Assert.Equal(["db1", "web1"], _env.Starts.Select(s => s.VmId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_env.Starts, s => s.HostId == "h2");
    }

    [Fact]
    public void DoOneIteration_SuccessWithoutProof_RestartsNothingAndTriesAnotherPeer()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        var fence = Assert.Single(_env.Fences);

        _env.Observe(new FenceResult(_env.Now, fence.FenceId, fence.Token, "h2", fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(120, 119, ["127.99.0.2"]), new IscsiKeysEvidence("iqn.2026-01.lab:db", 0, ["key-h1", "key-h2"])]));
        RunSeconds(1, silent: ["h2"], storageSilent: ["h2"]);

        Assert.Empty(_env.Starts);
        Assert.Equal(2, _env.Fences.Count);
        Assert.NotEqual(fence.ExecutorHostId, _env.Fences[1].ExecutorHostId);
    }

    [Fact]
    public void DoOneIteration_ResultWithStaleToken_IsIgnoredAndOrderReissuedWithNewToken()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        var fence = Assert.Single(_env.Fences);
        _env.Epoch = 2;
        RunSeconds(1, silent: ["h2"], storageSilent: ["h2"]);

        _env.Observe(ProvenResult(fence));
        RunSeconds(1, silent: ["h2"], storageSilent: ["h2"]);

        Assert.Equal(HostState.Fencing, _coordinator.HostStateOf("h2"));
        Assert.Empty(_env.Starts);
        Assert.Equal(2, _env.Fences[1].Token);
        Assert.Contains(_env.Audits, a => a.Kind == AuditKind.StaleResultIgnored);
    }

    [Fact]
    public void DoOneIteration_MostHostsSilentAtOnce_EngagesStormGuardAndFencesNobody()
    {
        RunSeconds(20, silent: ["h2", "h3", "h4"], storageSilent: ["h2", "h3", "h4"]);

        Assert.True(_coordinator.FencingStormGuardEngaged);
        Assert.Empty(_env.Fences);
        Assert.Contains(_env.Audits, a => a.Kind == AuditKind.FencingStormGuard);
    }

    [Fact]
    public void DoOneIteration_HealthyCluster_AllocatesNothing()
    {
        RunSeconds(3, silent: [], storageSilent: []);
        var reports = HostIds.ToDictionary(id => id, id => (IReadOnlyList<string>)(id == "h2" ? ["db1", "web1"] : []), StringComparer.Ordinal);
        var heartbeats = HostIds.Select(id => new NetworkHeartbeat(_env.Now, id, 1)).ToArray();
        var vmReports = HostIds.Select(id => new VmReport(_env.Now, id, 1, reports[id])).ToArray();
        void Step()
        {
            foreach (var heartbeat in heartbeats)
            {
                _env.Observe(heartbeat);
            }
            foreach (var report in vmReports)
            {
                _env.Observe(report);
            }
            _coordinator.DoOneIteration();
        }
        Step();
        Step();

        var before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Snapshot_FedToASuccessor_KeepsFencedHostOutAndUnfencesItOnReturn()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        _env.Observe(ProvenResult(Assert.Single(_env.Fences)));
        RunSeconds(1, silent: ["h2"], storageSilent: ["h2"]);
        var (placement, fenced, released) = _coordinator.Snapshot();

        var successorEnv = new RecordingEnvironment { Epoch = 2 };
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec> { new("web1", 2, 4096, [new CephVolume("rbd", "web1")]), new("db1", 2, 4096, [new IscsiVolume("iqn.2026-01.lab:db", 0)]) };
        var successor = new HaCoordinator(successorEnv, new RestartPlanner(), new CoordinatorOptions(),
            new HaCluster(hosts, identities, vms, [], placement, fenced, released));
        successorEnv.Clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var id in HostIds)
        {
            successorEnv.Observe(new NetworkHeartbeat(successorEnv.Now, id, 2));
            successorEnv.Observe(new VmReport(successorEnv.Now, id, 2, []));
        }
        successor.DoOneIteration();

        Assert.Equal(HostState.Unfencing, successor.HostStateOf("h2"));
        var unfence = Assert.Single(successorEnv.Unfences);
        Assert.Equal(2, unfence.Targets.Count);
        Assert.All(successorEnv.Starts, s => Assert.NotEqual("h2", s.HostId));
    }

    [Fact]
    public void Snapshot_TakenMidFence_SuccessorFencesAgainWithItsTokenBeforeRestarting()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        Assert.Single(_env.Fences); // the old leader's fence is out, never proven: then it dies
        var (placement, fenced, released) = _coordinator.Snapshot();
        Assert.Equal("h2", placement["web1"]);

        var (successor, successorEnv) = Successor(placement, fenced, released);
        RunSeconds(successor, successorEnv, 5, silent: ["h2"]);
        Assert.Empty(successorEnv.Starts); // nothing restarts on an unproven fence
        RunSeconds(successor, successorEnv, 6, silent: ["h2"]);
        var fence = Assert.Single(successorEnv.Fences);
        Assert.Equal(("h2", 2L), (fence.VictimHostId, fence.Token));
        Assert.Empty(successorEnv.Starts);

        successorEnv.Observe(new FenceResult(successorEnv.Now, fence.FenceId, fence.Token, "h2", fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(120, 121, ["127.99.0.2"]), new IscsiKeysEvidence("iqn.2026-01.lab:db", 0, ["key-h1", "key-h3"])]));
        RunSeconds(successor, successorEnv, 1, silent: ["h2"]);

        Assert.Equal(["db1", "web1"], successorEnv.Starts.Select(s => s.VmId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(successorEnv.Starts, s => s.HostId == "h2");
    }

    [Fact]
    public void Snapshot_TakenMidFence_HostHeardAgain_KeepsItsVmsAndLiftsTheHalfFence()
    {
        RunSeconds(10, silent: ["h2"], storageSilent: ["h2"]);
        var (placement, fenced, released) = _coordinator.Snapshot();

        var (successor, successorEnv) = Successor(placement, fenced, released);
        RunSeconds(successor, successorEnv, 3, silent: []);

        Assert.Empty(successorEnv.Starts);
        Assert.Empty(successorEnv.Fences);
        Assert.Equal("h2", Assert.Single(successorEnv.Unfences).HostId);
        Assert.Equal((VmState.Running, "h2"), successor.VmStateOf("web1"));
    }

    [Fact]
    public void Constructor_InvalidOption_ThrowsNamingTheKey()
    {
        var options = new CoordinatorOptions { NetworkDeadAfter = TimeSpan.FromSeconds(1) };
        var error = Assert.Throws<ArgumentException>(() =>
            new HaCoordinator(_env, new RestartPlanner(), options, new HaCluster([], [], [], [], new Dictionary<string, string>())));
        Assert.Contains("NetworkDeadAfter", error.Message, StringComparison.Ordinal);
    }

    private static (HaCoordinator Successor, RecordingEnvironment Env) Successor(
        IReadOnlyDictionary<string, string> placement, IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>> fenced, IReadOnlyList<string> released)
    {
        var env = new RecordingEnvironment { Epoch = 2 };
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec> { new("web1", 2, 4096, [new CephVolume("rbd", "web1")]), new("db1", 2, 4096, [new IscsiVolume("iqn.2026-01.lab:db", 0)]) };
        return (new HaCoordinator(env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement, fenced, released)), env);
    }

    /// <summary>Second by second on a successor: hosts not silent send heartbeats and report the VMs placed on them.</summary>
    private static void RunSeconds(HaCoordinator coordinator, RecordingEnvironment env, int seconds, string[] silent)
    {
        for (var s = 0; s < seconds; s++)
        {
            env.Clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var id in HostIds.Where(h => !silent.Contains(h)))
            {
                env.Observe(new NetworkHeartbeat(env.Now, id, 2));
                env.Observe(new VmReport(env.Now, id, 2, id == "h2" ? ["web1", "db1"] : []));
            }
            coordinator.DoOneIteration();
        }
    }

    private FenceResult ProvenResult(FenceOrder fence) =>
        new(_env.Now, fence.FenceId, fence.Token, fence.VictimHostId, fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(120, 121, ["127.99.0.2"]), new IscsiKeysEvidence("iqn.2026-01.lab:db", 0, ["key-h1", "key-h3"])]);

    /// <summary>Advances second by second; hosts not silent send heartbeats and reports, hosts not storage-silent write storage.</summary>
    private void RunSeconds(int seconds, string[] silent, string[] storageSilent)
    {
        for (var s = 0; s < seconds; s++)
        {
            _env.Clock.Advance(TimeSpan.FromSeconds(1));
            _sequence++;
            foreach (var id in HostIds)
            {
                if (!storageSilent.Contains(id))
                {
                    _env.WriteStorage(id, _sequence);
                }
                if (!silent.Contains(id))
                {
                    _env.Observe(new NetworkHeartbeat(_env.Now, id, 1));
                    _env.Observe(new VmReport(_env.Now, id, 1, id == "h2" ? ["db1", "web1"] : []));
                }
            }
            _coordinator.DoOneIteration();
        }
    }
}
