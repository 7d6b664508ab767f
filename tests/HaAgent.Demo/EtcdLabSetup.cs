using System.Diagnostics;
using System.Globalization;
using HaAgent.Testing.Lab;
using static HaAgent.Demo.DemoWaits;

namespace HaAgent.Demo;

/// <summary>
/// The symmetric deployment on the lab: etcd in the storage namespace, a coordinator AND an agent on each of three
/// hosts (no special node), web1 protected and running on a chosen host, writing numbered blocks to its RBD image.
/// Shared by the coordinator-failover demo part and the end-to-end tests; every wait bounded.
/// </summary>
internal sealed class EtcdLabSetup : IAsyncDisposable
{
    public const string Vm = "web1";

    private EtcdLabSetup(Lab lab, LabCoordinatorCluster cluster)
    {
        Lab = lab;
        Cluster = cluster;
    }

    public Lab Lab { get; }

    public LabCoordinatorCluster Cluster { get; }

    public List<LabAgent> Agents { get; } = [];

    /// <summary>The coordinator leading once everything was set up, and its epoch.</summary>
    public LabCoordinator Leader { get; private set; } = null!;

    public long LeaderEpoch { get; private set; }

    public LabVmDefinition Definition { get; private set; } = null!;

    /// <summary>web1 as started on its first host.</summary>
    public LabVm VmOnFirstHost { get; private set; } = null!;

    /// <summary>Audit sequence of the coordinator's adoption of web1 (vm-started).</summary>
    public long AdoptedAt { get; private set; }

    public LabAgent AgentOn(LabHost host) => Agents.Single(a => a.Host == host);

    /// <summary>
    /// Brings everything up. <paramref name="chooseVmHost"/> picks web1's host from the leader's host (e.g. the leader's
    /// own host, or another). Returns null (after <paramref name="unavailable"/> was told why) when the coordinator build
    /// runs no engine.
    /// </summary>
    public static async Task<EtcdLabSetup?> StartAsync(
        Narrator say, Action<bool, string> check, Func<LabHost, IReadOnlyList<LabHost>, LabHost> chooseVmHost, Action<string> unavailable,
        CancellationToken cancellationToken) =>
        await StartAsync(say, check, chooseVmHost, unavailable, leaderOnVmHost: null, cancellationToken);

    /// <summary>
    /// As above; <paramref name="leaderOnVmHost"/> true/false: at the end the leader runs on web1's host / on another
    /// host — leadership on a loaded box can move during the set-up (2 s lease, three JIT-ing processes), so it is
    /// moved back deterministically (others cut from etcd until the wanted one leads).
    /// </summary>
    public static async Task<EtcdLabSetup?> StartAsync(
        Narrator say, Action<bool, string> check, Func<LabHost, IReadOnlyList<LabHost>, LabHost> chooseVmHost, Action<string> unavailable,
        bool? leaderOnVmHost, CancellationToken cancellationToken)
    {
        say.Chapter("Lab: storage namespace (Ceph + etcd) and 3 hypervisor hosts");
        var lab = await Lab.StartAsync(new LabOptions { Hosts = 3, Images = [Vm], Log = say.Say }, cancellationToken);
        EtcdLabSetup? setup = null;
        try
        {
            say.Chapter("A coordinator on every host (etcd store), campaigning for leadership");
            var clock = Stopwatch.StartNew();
            var cluster = await LabCoordinatorCluster.StartAsync(lab, lab.Hosts, cancellationToken);
            setup = new EtcdLabSetup(lab, cluster);
            var (leader, epoch) = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken: cancellationToken)
                ?? throw new TimeoutException("no coordinator leads");
            say.Say($"{leader.InstanceId} on {leader.Host!.Name} leads with epoch {epoch} ({clock.Elapsed.TotalSeconds:F1} s after start)");
            if (await cluster.WaitForAuditAsync(r => r.Kind == "epoch-changed", TimeSpan.FromSeconds(15), cancellationToken: cancellationToken) is null)
            {
                unavailable("this coordinator build runs no engine (no epoch-changed in the audit within 15 s)");
                await setup.DisposeAsync();
                return null;
            }
            foreach (var host in lab.Hosts)
            {
                var (status, _) = await cluster.SendToLeaderAsync(HttpMethod.Post, "v1/hosts",
                    $$"""{"id":"{{host.Name}}","cpus":4,"memoryMiB":4096,"rack":"r{{host.Number}}"}""", cancellationToken: cancellationToken);
                check(status == 201, $"POST /v1/hosts {host.Name} → {status}");
            }

            say.Chapter("An agent on every host, knowing all three coordinator URLs");
            foreach (var host in lab.Hosts)
            {
                setup.Agents.Add(await LabAgent.StartAsync(lab, host, cluster, cancellationToken));
            }
            foreach (var agent in setup.Agents)
            {
                var beat = await WaitAsync(async () => (await lab.Ceph.ClientCommandAsync("rados", ["-c", lab.Ceph.ConfigPath, "-p", lab.Pool, "stat", $"haagent.hb.{agent.Host.Name}"], TimeSpan.FromSeconds(10), cancellationToken)).ExitCode == 0,
                    TimeSpan.FromSeconds(30), cancellationToken);
                check(beat && !agent.Process.HasExited, $"agent on {agent.Host.Name} runs and writes its storage heartbeat");
            }

            // The leader may have changed while everything started on two loaded cores: ask again.
            (leader, epoch) = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken: cancellationToken)
                ?? throw new TimeoutException("no coordinator leads");
            var vmHost = chooseVmHost(leader.Host!, lab.Hosts);
            if (Environment.GetEnvironmentVariable("HAAGENT_LAB_FORCE_LEADER_MOVE") == "1")
            {
                // Exercises the leadership move below on purpose (it otherwise runs only when the set-up races a flap).
                vmHost = lab.Hosts.First(h => h != vmHost);
            }
            say.Chapter($"web1: protected, softly pinned to {vmHost.Name}, started there; the coordinator adopts it; it writes");
            var rule = await cluster.SendToLeaderAsync(HttpMethod.Post, "v1/rules",
                $$"""{"name":"web1-prefers-{{vmHost.Name}}","kind":"host-pinning","strength":"soft","vmIds":["web1"],"hostIds":["{{vmHost.Name}}"]}""", cancellationToken: cancellationToken);
            check(rule.Status == 201, $"POST /v1/rules web1 prefers {vmHost.Name} → {rule.Status}");
            var vm = await cluster.SendToLeaderAsync(HttpMethod.Post, "v1/vms",
                $$"""{"id":"web1","cpus":1,"memoryMiB":32,"volumes":["ceph:{{lab.Pool}}/web1"],"protected":true}""", cancellationToken: cancellationToken);
            check(vm.Status == 201, $"POST /v1/vms web1 (protected) → {vm.Status}");
            setup.Definition = lab.DefineVm(Vm);
            var xml = await cluster.SendToLeaderAsync(HttpMethod.Put, "v1/vms/web1/definition", setup.Definition.Xml, "application/xml", cancellationToken);
            check(xml.Status is >= 200 and < 300, $"PUT /v1/vms/web1/definition → {xml.Status}");
            setup.VmOnFirstHost = await vmHost.StartVmAsync(setup.Definition, cancellationToken);
            var adopted = await cluster.WaitForAuditAsync(r => r.Kind == "vm-started" && IsAbout(r, Vm), TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);
            check(adopted is not null, $"the coordinator adopted web1 on {vmHost.Name} (audit vm-started)");
            setup.AdoptedAt = adopted?.Sequence ?? 0;
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                var write = await setup.VmOnFirstHost.WriteAsync(sequence, cancellationToken: cancellationToken);
                say.Say(write.ToString());
                check(write.Outcome == VmWriteOutcome.Acknowledged, $"write #{sequence} from web1 on {vmHost.Name} acknowledged");
            }
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // heartbeats and a VM report reach the leader
            (setup.Leader, setup.LeaderEpoch) = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken: cancellationToken)
                ?? throw new TimeoutException("no coordinator leads");
            if (leaderOnVmHost is { } wanted && (setup.Leader.Host == vmHost) != wanted)
            {
                var target = wanted ? cluster.On(vmHost) : cluster.Coordinators.First(c => c.Host != vmHost);
                say.Say($"leadership moved during the set-up ({setup.Leader.InstanceId} on {setup.Leader.Host!.Name} leads); moving it to {target.InstanceId} on {target.Host!.Name}");
                var moved = await cluster.MoveLeadershipToAsync(target, TimeSpan.FromSeconds(20), cancellationToken)
                    ?? throw new TimeoutException($"leadership did not move to {target.InstanceId}");
                (setup.Leader, setup.LeaderEpoch) = (target, moved);
                // The new leader's engine has loaded web1's placement from etcd and every agent follows it (503 hints).
                check(await cluster.WaitForAuditAsync(r => r.Kind == "epoch-changed" && r.Epoch == moved, TimeSpan.FromSeconds(20), cancellationToken: cancellationToken) is not null,
                    $"{target.InstanceId}'s engine leads with epoch {moved}");
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            }
            say.Say($"leader now: {setup.Leader.InstanceId} on {setup.Leader.Host!.Name}, epoch {setup.LeaderEpoch}; web1 on {vmHost.Name}");
            return setup;
        }
        catch
        {
            if (setup is not null)
            {
                await setup.DisposeAsync();
            }
            else
            {
                await lab.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Hosts among <paramref name="hosts"/> whose libvirtd runs web1 now (a dead host's libvirtd does not answer: not running).</summary>
    public static async Task<List<LabHost>> RunningOnAsync(IEnumerable<LabHost> hosts, CancellationToken cancellationToken)
    {
        var running = new List<LabHost>();
        foreach (var host in hosts)
        {
            if (await host.IsRunningAsync(Vm, cancellationToken))
            {
                running.Add(host);
            }
        }
        return running;
    }

    /// <summary>The blocklist as `ceph osd blocklist ls` prints it (one entry per line).</summary>
    public async Task<IReadOnlyList<string>> BlocklistAsync(CancellationToken cancellationToken)
    {
        var result = (await Lab.Ceph.CephAsync(["osd", "blocklist", "ls"], cancellationToken)).EnsureSuccess("ceph osd blocklist ls");
        return [.. (result.StandardOutput + "\n" + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(':', StringComparison.Ordinal) && !l.StartsWith("listed", StringComparison.Ordinal))];
    }

    public static string Load()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Lab.DisposeAsync();
    }
}
