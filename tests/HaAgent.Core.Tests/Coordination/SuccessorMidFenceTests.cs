using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Coordination;

/// <summary>
/// A leader dies right after ordering a fence. Its successor continues that fence at its first leading step under
/// its own token (the dead leader had the evidence), and still restarts nothing before its own fence is proven; a host
/// that was not mid-fence is judged only on the successor's own observation (no heartbeat history survives a takeover).
/// </summary>
public sealed class SuccessorMidFenceTests
{
    private static readonly string[] HostIds = ["h1", "h2", "h3", "h4"];

    private readonly RecordingEnvironment _oldEnv = new();
    private readonly HaCoordinator _old;

    public SuccessorMidFenceTests()
    {
        _old = Build(_oldEnv, new Dictionary<string, string>(StringComparer.Ordinal) { ["web1"] = "h2", ["db1"] = "h3" }, null, null, null);
        // h2 falls silent (network and storage): suspect at 3 s, dead after 8 s, fence ordered — then the leader dies.
        RunSeconds(_old, _oldEnv, 10, silent: ["h2"]);
        var fence = Assert.Single(_oldEnv.Fences);
        Assert.Equal(("h2", 1L), (fence.VictimHostId, fence.Token));
        Assert.Equal(HostState.Fencing, _old.HostStateOf("h2"));
    }

    [Fact]
    public void Successor_FenceInProgress_ContinuedAtItsFirstStepUnderItsOwnTokenWithTheOldEvidence()
    {
        var oldFence = _oldEnv.Fences[0];
        var (successor, env) = Successor(_old);

        RunSeconds(successor, env, 1, silent: ["h2"]);

        var fence = Assert.Single(env.Fences);
        Assert.Equal(("h2", 2L, oldFence.ExecutorHostId), (fence.VictimHostId, fence.Token, fence.ExecutorHostId));
        Assert.Equal(oldFence.Targets.Select(t => t.ToString()), fence.Targets.Select(t => t.ToString()));
        var ordered = Assert.Single(env.Audits, a => a.Kind == AuditKind.FenceOrdered);
        Assert.Contains("continuing fence ordered in epoch 1", ordered.Decision, StringComparison.Ordinal);
        Assert.Contains("token 2", ordered.Decision, StringComparison.Ordinal);
        Assert.StartsWith($"continuing fence {oldFence.FenceId} ordered in epoch 1 via {oldFence.ExecutorHostId}; that leader's evidence: dead: no network heartbeat for 9.0s",
            ordered.Evidence, StringComparison.Ordinal);
        Assert.Equal(HostState.Fencing, successor.HostStateOf("h2"));
        Assert.Empty(env.Starts);
        Assert.Equal((VmState.Running, "h2"), successor.VmStateOf("web1"));
    }

    [Fact]
    public void Successor_ContinuedFence_RestartsOnlyAfterItsOwnProofNotTheOldLeadersResult()
    {
        var oldFence = _oldEnv.Fences[0];
        var (successor, env) = Successor(_old);
        RunSeconds(successor, env, 1, silent: ["h2"]);
        var fence = Assert.Single(env.Fences);

        // The dead leader's order executed late: its result carries the old token and proves nothing to this leader.
        env.Observe(Proven(env, oldFence));
        RunSeconds(successor, env, 2, silent: ["h2"]);
        Assert.Empty(env.Starts);
        Assert.Contains(env.Audits, a => a.Kind == AuditKind.StaleResultIgnored);
        Assert.Equal(HostState.Fencing, successor.HostStateOf("h2"));

        env.Observe(Proven(env, fence));
        RunSeconds(successor, env, 1, silent: ["h2"]);

        Assert.Equal(HostState.Fenced, successor.HostStateOf("h2"));
        var start = Assert.Single(env.Starts);
        Assert.Equal(("web1", 2L), (start.VmId, start.Token));
        Assert.NotEqual("h2", start.HostId);
        var verified = env.Audits.FindIndex(a => a.Kind == AuditKind.FenceVerified);
        var started = env.Audits.FindIndex(a => a.Kind == AuditKind.VmStartOrdered);
        Assert.InRange(verified, 0, started - 1);
        Assert.Empty(successor.FencesInProgress());
    }

    [Fact]
    public void Successor_HostNotMidFence_StillWaitsItsOwnDeadAfterBeforeFencing()
    {
        var (successor, env) = Successor(_old);

        // h3 (db1's host) dies at the takeover: the successor never heard it, and judges it on its own clock only.
        RunSeconds(successor, env, 7, silent: ["h2", "h3"]);
        Assert.Equal(HostState.Suspect, successor.HostStateOf("h3"));
        Assert.DoesNotContain(env.Fences, f => f.VictimHostId == "h3");
        Assert.Single(env.Fences); // only h2's continued fence

        RunSeconds(successor, env, 2, silent: ["h2", "h3"]);
        var fence = Assert.Single(env.Fences, f => f.VictimHostId == "h3");
        Assert.Equal(2L, fence.Token);
        var ordered = Assert.Single(env.Audits, a => a.Kind == AuditKind.FenceOrdered && a.Subject == "host h3");
        Assert.DoesNotContain("continuing", ordered.Evidence, StringComparison.Ordinal);
        Assert.Contains("no network heartbeat for 9.0s", ordered.Evidence, StringComparison.Ordinal);
        Assert.Equal((VmState.Running, "h3"), successor.VmStateOf("db1"));
    }

    [Fact]
    public void Successor_OlderSnapshotWithoutFencesInProgress_KeepsTheSlowPathAndWaitsDeadAfter()
    {
        var (placement, fenced, released) = _old.Snapshot();
        var env = new RecordingEnvironment { Epoch = 2 };
        var successor = Build(env, placement, fenced, released, fencing: null);

        RunSeconds(successor, env, 7, silent: ["h2"]);
        Assert.Empty(env.Fences);
        Assert.Equal(HostState.FenceFailed, successor.HostStateOf("h2"));

        RunSeconds(successor, env, 2, silent: ["h2"]);
        Assert.Equal(("h2", 2L), (Assert.Single(env.Fences).VictimHostId, env.Fences[0].Token));
    }

    [Fact]
    public void Successor_DiesBeforeItsContinuedFenceIsProven_NextSuccessorContinuesItWithTheWholeChain()
    {
        var (second, secondEnv) = Successor(_old);
        RunSeconds(second, secondEnv, 1, silent: ["h2"]);
        var inProgress = Assert.Single(second.FencesInProgress());
        Assert.Equal(("h2", 2L), (inProgress.Key, inProgress.Value.Epoch));

        var (third, thirdEnv) = Successor(second, epoch: 3);
        RunSeconds(third, thirdEnv, 1, silent: ["h2"]);

        var fence = Assert.Single(thirdEnv.Fences);
        Assert.Equal(3L, fence.Token);
        var ordered = Assert.Single(thirdEnv.Audits, a => a.Kind == AuditKind.FenceOrdered);
        Assert.StartsWith("continuing fence", ordered.Evidence, StringComparison.Ordinal);
        Assert.Contains("ordered in epoch 2", ordered.Evidence, StringComparison.Ordinal);
        Assert.Contains("ordered in epoch 1", ordered.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Successor_ContinuedFenceVictimTalksAgain_FenceStillCompletesThenTheHostIsUnfenced()
    {
        var (successor, env) = Successor(_old);
        RunSeconds(successor, env, 1, silent: ["h2"]);
        var fence = Assert.Single(env.Fences);

        RunSeconds(successor, env, 1, silent: []);
        Assert.Contains(env.Audits, a => a.Subject == "host h2" && a.Decision.StartsWith("talks again during its fence", StringComparison.Ordinal));
        Assert.Equal(HostState.Fencing, successor.HostStateOf("h2"));

        env.Observe(Proven(env, fence));
        RunSeconds(successor, env, 1, silent: ["h2"]);
        Assert.Equal(HostState.Fenced, successor.HostStateOf("h2"));
        Assert.Equal("web1", Assert.Single(env.Starts).VmId);
    }

    [Fact]
    public void Successor_NotLeadingYet_OrdersNothingUntilItLeads()
    {
        var (successor, env) = Successor(_old);
        env.Epoch = 0;
        RunSeconds(successor, env, 3, silent: ["h2"]);
        Assert.Empty(env.Fences);

        env.Epoch = 2;
        RunSeconds(successor, env, 1, silent: ["h2"]);
        Assert.Equal(2L, Assert.Single(env.Fences).Token);
    }

    private static (HaCoordinator Successor, RecordingEnvironment Env) Successor(HaCoordinator previous, long epoch = 2)
    {
        var (placement, fenced, released) = previous.Snapshot();
        var env = new RecordingEnvironment { Epoch = epoch };
        return (Build(env, placement, fenced, released, previous.FencesInProgress()), env);
    }

    private static HaCoordinator Build(
        RecordingEnvironment env,
        IReadOnlyDictionary<string, string> placement,
        IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>>? fenced,
        IReadOnlyList<string>? released,
        IReadOnlyDictionary<string, FenceInProgress>? fencing)
    {
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec> { new("web1", 2, 4096, [new CephVolume("rbd", "web1")]), new("db1", 2, 4096, [new CephVolume("rbd", "db1")]) };
        return new HaCoordinator(env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement, fenced, released, fencing));
    }

    private static FenceResult Proven(RecordingEnvironment env, FenceOrder fence) =>
        new(env.Now, fence.FenceId, fence.Token, fence.VictimHostId, fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(120, 121, [$"127.99.0.{fence.VictimHostId[1..]}"])]);

    /// <summary>Second by second: hosts not silent heartbeat on network and storage and report the VMs placed on them.</summary>
    private static void RunSeconds(HaCoordinator coordinator, RecordingEnvironment env, int seconds, string[] silent)
    {
        for (var s = 0; s < seconds; s++)
        {
            env.Clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var id in HostIds.Where(h => !silent.Contains(h)))
            {
                env.WriteStorage(id, env.Now.ToUnixTimeSeconds());
                env.Observe(new NetworkHeartbeat(env.Now, id, 1));
                var (_, web1Host) = coordinator.VmStateOf("web1");
                var (_, db1Host) = coordinator.VmStateOf("db1");
                env.Observe(new VmReport(env.Now, id, 1, [.. new[] { web1Host == id ? "web1" : null, db1Host == id ? "db1" : null }.OfType<string>()]));
            }
            coordinator.DoOneIteration();
        }
    }
}
