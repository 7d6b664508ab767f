using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Coordination;

/// <summary>
/// Operator changes applied to the live coordinator (no rebuild): each must take effect, and none may stand in for
/// the proof a VM stopped — no second start, no release of a removed or half-fenced host's VMs.
/// </summary>
public sealed class ConfigurationChangeTests
{
    private readonly RecordingEnvironment _env = new();
    private readonly Dictionary<string, List<string>> _running = new(StringComparer.Ordinal)
    {
        ["h1"] = ["web1"],
        ["h2"] = ["db1"],
        ["h3"] = [],
    };
    private long _sequence;

    [Fact]
    public void UpsertVm_NewVmAlreadyReportedByItsHost_AdoptedAtNextStepWithoutAStart()
    {
        var core = Build();
        _running["h3"].Add("app1");
        RunSeconds(core, 2);

        Assert.True(core.UpsertVm(Vm("app1")));
        Assert.Equal((VmState.Unknown, null), core.VmStateOf("app1"));
        core.DoOneIteration(); // no new report: the last one is looked at again

        Assert.Equal((VmState.Running, "h3"), core.VmStateOf("app1"));
        Assert.Contains(_env.Audits, a => a.Kind == AuditKind.VmStarted && a.Subject == "vm app1" && a.Decision.StartsWith("adopted on h3", StringComparison.Ordinal));
        Assert.Empty(_env.Starts);
    }

    [Fact]
    public void UpsertVm_NewVmNobodyReports_StaysUnknownAndIsNeverStartedBlindly()
    {
        var core = Build();
        Assert.True(core.UpsertVm(Vm("app1")));

        RunSeconds(core, 30);

        Assert.Equal((VmState.Unknown, null), core.VmStateOf("app1"));
        Assert.Empty(_env.Starts);
        Assert.Equal(3, core.VmCount);
    }

    [Fact]
    public void UpsertVm_PriorityChangedWhileItsRestartIsInFlight_KeepsTheStartAndOrdersNoSecond()
    {
        var core = Build();
        FailAndFenceH2(core);
        var start = Assert.Single(_env.Starts);
        Assert.Equal((VmState.Starting, start.HostId), core.VmStateOf("db1"));

        Assert.True(core.UpsertVm(Vm("db1") with { Priority = 90, Group = "gold" }));
        RunSeconds(core, 3, silent: "h2");

        Assert.Single(_env.Starts);
        Assert.Equal((VmState.Starting, start.HostId), core.VmStateOf("db1"));
        _env.Observe(new VmStartResult(_env.Now, start.Token, "db1", start.HostId, true, null));
        _running[start.HostId].Add("db1");
        RunSeconds(core, 2, silent: "h2");
        Assert.Equal((VmState.Running, start.HostId), core.VmStateOf("db1"));
        Assert.Single(_env.Starts);
    }

    [Fact]
    public void UpsertVm_VolumesChangedWhileItsHostIsBeingFenced_RefusedUntilTheRoundEnds()
    {
        var core = Build();
        RunSeconds(core, 10, silent: "h2");
        Assert.Equal(HostState.Fencing, core.HostStateOf("h2"));
        var withLun = Vm("db1") with { Volumes = [new CephVolume("rbd", "db1"), new IscsiVolume("iqn.2026-01.lab:db", 0)] };

        Assert.False(core.UpsertVm(withLun));
        Assert.True(core.UpsertVm(Vm("db1") with { Priority = 5 })); // same volumes: fine mid-fence

        var fence = Assert.Single(_env.Fences);
        Assert.DoesNotContain(fence.Targets, t => t is IscsiPreemptTarget);
        VerifyFence(fence);
        RunSeconds(core, 1, silent: "h2");
        Assert.Equal(HostState.Fenced, core.HostStateOf("h2"));
        Assert.True(core.UpsertVm(withLun));
    }

    [Fact]
    public void RemoveVm_WhileStarting_NothingMoreOrderedAndReprotectedItIsAdoptedNotStarted()
    {
        var core = Build();
        FailAndFenceH2(core);
        var start = Assert.Single(_env.Starts);

        Assert.True(core.RemoveVm("db1"));
        Assert.False(core.TryGetVmState("db1", out _, out _));
        Assert.Contains(_env.Audits, a => a.Kind == AuditKind.ConfigurationChanged && a.Subject == "vm db1");
        _env.Observe(new VmStartResult(_env.Now, start.Token, "db1", start.HostId, true, null));
        _running[start.HostId].Add("db1");
        RunSeconds(core, 40, silent: "h2"); // far past the order timeout: no re-issue for a VM no longer managed
        Assert.Single(_env.Starts);

        Assert.True(core.UpsertVm(Vm("db1")));
        RunSeconds(core, 1, silent: "h2");
        Assert.Equal((VmState.Running, start.HostId), core.VmStateOf("db1"));
        Assert.Single(_env.Starts);
        Assert.False(core.RemoveVm("nope"));
    }

    [Fact]
    public void RemoveVm_WhileItsOldHostIsFenced_StaleCopyStillStoppedBeforeTheUnfence()
    {
        var core = Build();
        FailAndFenceH2(core);
        Assert.True(core.RemoveVm("db1")); // unprotected while h2 is cut off; its restarted copy runs on a peer

        _running["h2"] = ["db1"]; // h2 comes back with its stale copy, cut off from the volumes
        RunSeconds(core, 1);

        Assert.Equal(HostState.Returning, core.HostStateOf("h2"));
        var stop = Assert.Single(_env.Stops);
        Assert.Equal(("db1", "h2"), (stop.VmId, stop.HostId));
        Assert.Contains("no longer HA-managed", stop.Why, StringComparison.Ordinal);
        Assert.Empty(_env.Unfences);
        _running["h2"] = [];
        RunSeconds(core, 1);
        Assert.Equal("h2", Assert.Single(_env.Unfences).HostId);
    }

    [Fact]
    public void RemoveHost_MidFence_RefusedAndItsVmIsReleasedOnlyByTheProof()
    {
        var core = Build();
        RunSeconds(core, 10, silent: "h2");
        Assert.Equal(HostState.Fencing, core.HostStateOf("h2"));

        Assert.False(core.RemoveHost("h2"));
        Assert.True(core.HasHost("h2"));
        Assert.Equal((VmState.Running, "h2"), core.VmStateOf("db1"));
        Assert.Empty(_env.Starts);

        VerifyFence(Assert.Single(_env.Fences));
        RunSeconds(core, 1, silent: "h2");
        Assert.Single(_env.Starts);
        Assert.True(core.RemoveHost("h2"));
        Assert.False(core.HasHost("h2"));
    }

    [Fact]
    public void RemoveHost_SuspectHostWithVms_DeferredUntilFencedThenRemovedWithTheFenceKept()
    {
        var core = Build();
        RunSeconds(core, 5, silent: "h2"); // suspect, not yet fenced

        Assert.False(core.RemoveHost("h2"));
        Assert.False(core.RemoveHost("h2")); // retried by the engine at every poll: audited once
        Assert.Single(_env.Audits, a => a.Kind == AuditKind.ConfigurationChanged && a.Subject == "host h2" && a.Decision.StartsWith("removal deferred: HA VM(s) [db1]", StringComparison.Ordinal));
        Assert.Equal((VmState.Running, "h2"), core.VmStateOf("db1")); // not unknown: still watched, judged as usual
        RunSeconds(core, 5, silent: "h2");
        var fence = Assert.Single(_env.Fences);
        Assert.False(core.RemoveHost("h2")); // mid-fence
        Assert.Empty(_env.Starts);

        VerifyFence(fence);
        RunSeconds(core, 1, silent: "h2");
        Assert.Equal("db1", Assert.Single(_env.Starts).VmId);
        Assert.True(core.RemoveHost("h2"));

        Assert.False(core.HasHost("h2"));
        Assert.Contains(_env.Audits, a => a.Subject == "host h2" && a.Decision.StartsWith("removed while fenced: the fence is kept (ceph-blocklist 127.99.0.2)", StringComparison.Ordinal));
        Assert.Equal(["ceph-blocklist 127.99.0.2"], core.FencedSnapshot()["h2"].Select(t => t.ToString()));
        Assert.Equal(["ceph-blocklist 127.99.0.2"], core.Snapshot().Fenced["h2"].Select(t => t.ToString()));
    }

    [Fact]
    public void RemoveHost_HealthyHostWithVms_DrainedFirstThenRemoved()
    {
        var core = Build();
        RunSeconds(core, 1);

        Assert.False(core.RemoveHost("h1"));
        RunSeconds(core, 1);
        Assert.Equal(HostState.Maintenance, core.HostStateOf("h1"));
        var stop = Assert.Single(_env.Stops);
        Assert.Equal(("web1", "h1"), (stop.VmId, stop.HostId));
        _running["h1"].Remove("web1");
        _env.Observe(new VmStopResult(_env.Now, stop.Token, "web1", "h1", true, null));
        RunSeconds(core, 1);

        var start = Assert.Single(_env.Starts);
        Assert.NotEqual("h1", start.HostId);
        Assert.True(core.RemoveHost("h1"));
        Assert.False(core.HasHost("h1"));
        Assert.Contains(_env.Audits, a => a.Subject == "host h1" && a.Decision == "removed: no HA VM assigned, no fence applied");
        Assert.False(core.FencedSnapshot().ContainsKey("h1"));
    }

    [Fact]
    public void RemoveHost_FencedThenRegisteredAgain_StartsFencedReceivesNothingAndIsUnfencedOnlyOnReturn()
    {
        var core = Build();
        FailAndFenceH2(core);
        Assert.True(core.RemoveHost("h2"));

        core.UpsertHost(new HostSpec("h2", 8, 32 * 1024, FailureDomains.None), new HostFenceIdentity("h2", "127.99.0.2", "key-h2"));
        Assert.Equal(HostState.Fenced, core.HostStateOf("h2"));
        Assert.Contains(_env.Audits, a => a.Subject == "host h2" && a.Decision.StartsWith("registered again while still fenced (ceph-blocklist 127.99.0.2)", StringComparison.Ordinal));
        Assert.False(core.FencedSnapshot().Count == 0);
        RunSeconds(core, 2, silent: "h2");
        Assert.Equal(HostState.Fenced, core.HostStateOf("h2"));
        Assert.Single(_env.Starts); // db1's restart elsewhere only; nothing on h2

        // Its agent is heard and reports db1 (a leftover, running elsewhere now): stopped first, then the fence is lifted.
        _running["h2"] = ["db1"];
        RunSeconds(core, 1);
        Assert.Equal(HostState.Returning, core.HostStateOf("h2"));
        Assert.Contains(_env.Stops, s => s.HostId == "h2" && s.VmId == "db1");
        Assert.Empty(_env.Unfences);
        _running["h2"] = [];
        RunSeconds(core, 1);
        var unfence = Assert.Single(_env.Unfences);
        Assert.Equal(("h2", "ceph-blocklist 127.99.0.2"), (unfence.HostId, Assert.Single(unfence.Targets).ToString()));
    }

    [Fact]
    public void RemoveHost_FencedHost_FenceKeptAcrossASuccessorAndBackWhenRegisteredAgain()
    {
        var core = Build();
        FailAndFenceH2(core);
        Assert.True(core.RemoveHost("h2"));
        var (placement, fenced, released) = core.Snapshot();

        var env = new RecordingEnvironment { Epoch = 2 };
        var hosts = new[] { "h1", "h3" }.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = new[] { "h1", "h3" }.Select(id => new HostFenceIdentity(id, "127.99.0.9", "key-" + id)).ToList();
        var successor = new HaCoordinator(env, new RestartPlanner(), new CoordinatorOptions(),
            new HaCluster(hosts, identities, [Vm("web1"), Vm("db1")], [], placement, fenced, released));

        Assert.Equal(["ceph-blocklist 127.99.0.2"], successor.FencedSnapshot()["h2"].Select(t => t.ToString()));
        successor.UpsertHost(new HostSpec("h2", 8, 32 * 1024, FailureDomains.None), new HostFenceIdentity("h2", "127.99.0.2", "key-h2"));
        Assert.Equal(HostState.Fenced, successor.HostStateOf("h2"));
    }

    [Fact]
    public void RemoveHost_RegisteredAgainWhileRemovalDeferred_RemovalCalledOff()
    {
        var core = Build();
        RunSeconds(core, 1);
        Assert.False(core.RemoveHost("h1"));

        core.UpsertHost(new HostSpec("h1", 8, 32 * 1024, FailureDomains.None), new HostFenceIdentity("h1", "127.99.0.1", "key-h1"));

        Assert.Contains(_env.Audits, a => a.Subject == "host h1" && a.Decision.StartsWith("registered again: its removal is called off", StringComparison.Ordinal));
        Assert.True(core.HasHost("h1"));
        RunSeconds(core, 2);
        Assert.Equal(HostState.Healthy, core.HostStateOf("h1")); // the maintenance the removal asked for is called off too
        Assert.Empty(_env.Stops);
    }

    [Fact]
    public void UpsertHost_NewHostWithRoom_ReceivesTheVmNoOtherHostCouldTake()
    {
        var core = Build(hostMemoryMiB: 4096);
        FailAndFenceH2(core);
        Assert.Empty(_env.Starts); // h1 and h3 are full
        Assert.Equal(VmState.Pending, core.VmStateOf("db1").State);

        core.UpsertHost(new HostSpec("h4", 16, 64 * 1024, FailureDomains.None), new HostFenceIdentity("h4", "127.99.0.4", "key-h4"));
        _running["h4"] = [];
        RunSeconds(core, 1, silent: "h2");

        var start = Assert.Single(_env.Starts);
        Assert.Equal(("db1", "h4"), (start.VmId, start.HostId));
    }

    [Fact]
    public void UpsertHost_CapacityRaised_UsedByTheNextPlacement()
    {
        var core = Build(hostMemoryMiB: 4096);
        FailAndFenceH2(core);
        Assert.Empty(_env.Starts);

        core.UpsertHost(new HostSpec("h3", 8, 32 * 1024, FailureDomains.None), new HostFenceIdentity("h3", "ignored", "ignored"));
        RunSeconds(core, 1, silent: "h2");

        Assert.Equal(("db1", "h3"), (Assert.Single(_env.Starts).VmId, _env.Starts[0].HostId));
    }

    [Fact]
    public void SetRules_AntiAffinityAdded_NextPlacementKeepsIt()
    {
        var core = Build();
        core.SetRules([new AntiAffinityRule("apart", RuleStrength.Hard, ["web1", "db1"], FailureDomainLevel.Host)]);
        FailAndFenceH2(core);

        Assert.Equal("h3", Assert.Single(_env.Starts).HostId); // h1 runs web1
    }

    [Fact]
    public void TakeChangedVms_AfterFailover_NamesOnlyTheVmsThatMoved()
    {
        var core = Build();
        var changed = new List<string>();
        core.TakeChangedVms(changed);
        Assert.Empty(changed); // the starting placement is not a change

        FailAndFenceH2(core);
        core.TakeChangedVms(changed);

        Assert.Equal(["db1"], changed);
        changed.Clear();
        core.TakeChangedVms(changed);
        Assert.Empty(changed);
        core.RemoveVm("web1");
        core.TakeChangedVms(changed);
        Assert.Equal(["web1"], changed);
    }

    [Fact]
    public void VmsAssignedTo_AfterFailover_ListsWhatEachHostHolds()
    {
        var core = Build();
        Assert.Equal(["db1"], core.VmsAssignedTo("h2"));

        FailAndFenceH2(core);

        Assert.Empty(core.VmsAssignedTo("h2"));
        Assert.Contains("db1", core.VmsAssignedTo(_env.Starts[0].HostId));
    }

    private HaCoordinator Build(long hostMemoryMiB = 32 * 1024)
    {
        var hostIds = new[] { "h1", "h2", "h3" };
        var hosts = hostIds.Select(id => new HostSpec(id, 8, hostMemoryMiB, FailureDomains.None)).ToList();
        var identities = hostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var placement = new Dictionary<string, string>(StringComparer.Ordinal) { ["web1"] = "h1", ["db1"] = "h2" };
        var vms = new List<VmSpec> { Vm("web1"), Vm("db1") };
        if (hostMemoryMiB < 8192)
        {
            // Fill h3 so that only a new or bigger host can take db1.
            vms.Add(Vm("filler"));
            placement["filler"] = "h3";
            _running["h3"].Add("filler");
        }
        return new HaCoordinator(_env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement));
    }

    private static VmSpec Vm(string id) => new(id, 2, 4096, [new CephVolume("rbd", id)]);

    /// <summary>h2 falls silent (network and storage), is fenced, and the fence is proven: db1 is released.</summary>
    private void FailAndFenceH2(HaCoordinator core)
    {
        RunSeconds(core, 10, silent: "h2");
        VerifyFence(Assert.Single(_env.Fences));
        RunSeconds(core, 1, silent: "h2");
    }

    private void VerifyFence(FenceOrder fence) =>
        _env.Observe(new FenceResult(_env.Now, fence.FenceId, fence.Token, fence.VictimHostId, fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(120, 121, ["127.99.0.2"])]));

    /// <summary>Every host but <paramref name="silent"/> heartbeats on the network and storage and reports its running VMs.</summary>
    private void RunSeconds(HaCoordinator core, int seconds, string? silent = null)
    {
        for (var s = 0; s < seconds; s++)
        {
            _env.Clock.Advance(TimeSpan.FromSeconds(1));
            _sequence++;
            foreach (var (id, running) in _running)
            {
                if (id == silent)
                {
                    continue;
                }
                _env.WriteStorage(id, _sequence);
                _env.Observe(new NetworkHeartbeat(_env.Now, id, 1));
                _env.Observe(new VmReport(_env.Now, id, 1, [.. running]));
            }
            core.DoOneIteration();
        }
    }
}
