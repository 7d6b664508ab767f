using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Coordination;

/// <summary>Fence identities as the coordinator service learns them from agents' Hello messages.</summary>
public sealed class FenceIdentityTests
{
    private static readonly string[] HostIds = ["h1", "h2", "h3"];

    private readonly RecordingEnvironment _env = new();
    private long _sequence;

    [Fact]
    public void UpdateFenceIdentity_ExactClientAddresses_FenceBlocklistsThoseInstead()
    {
        var coordinator = Build(new HostFenceIdentity("h2", "127.99.0.2", "0x00000000000000A2"));

        Assert.True(coordinator.UpdateFenceIdentity(new HostFenceIdentity("h2", "127.99.0.2:0/5", "0x00000000000000A2", ["127.99.0.2:0/5", "127.99.0.2:0/6"])));
        Assert.False(coordinator.UpdateFenceIdentity(new HostFenceIdentity("nope", "", "")));
        RunSeconds(coordinator, 10);

        var fence = Assert.Single(_env.Fences);
        Assert.Contains(fence.Targets, t => t is CephBlocklistTarget { Addresses: ["127.99.0.2:0/5", "127.99.0.2:0/6"] });
    }

    [Fact]
    public void DoOneIteration_VictimIdentityUnknown_CannotFenceAuditedAndNothingRestarted()
    {
        var coordinator = Build(new HostFenceIdentity("h2", "", ""));

        RunSeconds(coordinator, 15);

        Assert.Empty(_env.Fences);
        Assert.Empty(_env.Starts);
        var cannot = Assert.Single(_env.Audits, a => a.Kind == AuditKind.CannotFence);
        Assert.Contains("unknown", cannot.Decision, StringComparison.Ordinal);
        Assert.Equal((VmState.Running, "h2"), coordinator.VmStateOf("web1"));
    }

    private HaCoordinator Build(HostFenceIdentity h2)
    {
        var hosts = HostIds.Select(id => new HostSpec(id, 8, 32 * 1024, FailureDomains.None)).ToList();
        var identities = HostIds.Select((id, i) => id == "h2" ? h2 : new HostFenceIdentity(id, $"127.99.0.{i + 1}", "key-" + id)).ToList();
        var vms = new List<VmSpec> { new("web1", 2, 4096, [new CephVolume("rbd", "web1")]) };
        var placement = new Dictionary<string, string>(StringComparer.Ordinal) { ["web1"] = "h2" };
        return new HaCoordinator(_env, new RestartPlanner(), new CoordinatorOptions(), new HaCluster(hosts, identities, vms, [], placement));
    }

    /// <summary>h2 silent on the network and on storage; the others heartbeat.</summary>
    private void RunSeconds(HaCoordinator coordinator, int seconds)
    {
        for (var s = 0; s < seconds; s++)
        {
            _env.Clock.Advance(TimeSpan.FromSeconds(1));
            _sequence++;
            foreach (var id in HostIds.Where(static h => h != "h2"))
            {
                _env.WriteStorage(id, _sequence);
                _env.Observe(new NetworkHeartbeat(_env.Now, id, 1));
                _env.Observe(new VmReport(_env.Now, id, 1, []));
            }
            coordinator.DoOneIteration();
        }
    }
}
