using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Coordination;

/// <summary>A deployment without any storage heartbeat: the core still fences first and still restarts.</summary>
public sealed class NoStorageHeartbeatTests
{
    private static readonly string[] HostIds = ["h1", "h2", "h3"];

    private readonly RecordingEnvironment _env = new();

    [Fact]
    public void DoOneIteration_NoStorageHeartbeatEver_SilentHostDeadFencedAndVmRestartedOnPeer()
    {
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec> { new("web1", 2, 4096, [new CephVolume("rbd", "web1")]) };
        var placement = new Dictionary<string, string>(StringComparer.Ordinal) { ["web1"] = "h2" };
        var coordinator = new HaCoordinator(_env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement));

        Run(coordinator, 10);
        var fence = Assert.Single(_env.Fences);
        _env.Observe(new FenceResult(_env.Now, fence.FenceId, fence.Token, "h2", fence.ExecutorHostId, true, null,
            [new CephBlocklistEvidence(10, 11, ["127.99.0.2"])]));
        Run(coordinator, 1);

        Assert.Contains(_env.Audits, static a => a.Decision == "status change suspect => dead");
        Assert.DoesNotContain(_env.Audits, static a => a.Kind == AuditKind.StorageStalled);
        var start = Assert.Single(_env.Starts);
        Assert.NotEqual("h2", start.HostId);
    }

    private void Run(HaCoordinator coordinator, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            _env.Clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var id in HostIds.Where(static h => h != "h2"))
            {
                _env.Observe(new NetworkHeartbeat(_env.Now, id, 1));
                _env.Observe(new VmReport(_env.Now, id, 1, []));
            }
            coordinator.DoOneIteration();
        }
    }
}
