using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>
/// The ground the failover scenario stands on: the real coordinator runs in the storage namespace and every host's
/// agent, in its own namespace, reaches it at 127.99.0.1 and writes its storage heartbeat; the REST API registers hosts
/// and a protected VM. When the agent↔coordinator link and the engine land, the failover test adds only the
/// kill → fence → restart steps on top (see tests/HaAgent.Demo FailoverScenario).
/// </summary>
[Collection(LabCollection.Name)]
public sealed class ProductInLabTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task CoordinatorInStorageAgentsInHosts_AgentsReachItAndHeartbeat_ApiRegistersHostsAndVm()
    {
        LabRequirements.Check();
        Skip.If(LabPrograms.Missing() is not null, LabPrograms.Missing());
        await using var lab = await LabSession.StartAsync(output, hosts: 2, "web1");
        await using var coordinator = await LabCoordinator.StartAsync(lab, lab.Hosts.Select(h => h.Name), CancellationToken.None);
        foreach (var host in lab.Hosts)
        {
            Assert.True(await host.CanConnectAsync(LabAddresses.Storage, LabCoordinator.Port), $"{host.Name} cannot reach the coordinator");
        }

        var agents = new List<LabAgent>();
        foreach (var host in lab.Hosts)
        {
            agents.Add(await LabAgent.StartAsync(lab, host, coordinator, CancellationToken.None));
        }
        foreach (var agent in agents)
        {
            var heartbeat = await WaitForHeartbeatAsync(lab, agent.Host.Name, TimeSpan.FromSeconds(30));
            output.WriteLine($"{agent.Host.Name}: {heartbeat}");
            Assert.False(agent.Process.HasExited, $"agent on {agent.Host.Name} exited; log {agent.LogFile}: {File.ReadAllText(agent.LogFile)}");
            Assert.Contains(agent.Process.Id, agent.Host.Cgroup.Pids()); // freezing or killing the host takes its agent along
        }

        foreach (var host in lab.Hosts)
        {
            var (status, body) = await coordinator.SendAsync(HttpMethod.Post, "v1/hosts", $$"""{"id":"{{host.Name}}","cpus":4,"memoryMiB":4096,"rack":"r{{host.Number}}"}""");
            Assert.True(status == 201, body);
        }
        var vm = await coordinator.SendAsync(HttpMethod.Post, "v1/vms", $$"""{"id":"web1","cpus":1,"memoryMiB":32,"volumes":["ceph:{{lab.Pool}}/web1"],"protected":true}""");
        Assert.True(vm.Status == 201, vm.Body);
        var audit = await coordinator.SendAsync(HttpMethod.Get, "v1/audit?limit=10");
        Assert.Equal(200, audit.Status);
        Assert.Contains("\"vm.create\"", audit.Body, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForHeartbeatAsync(Lab lab, string host, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (true)
        {
            var stat = await lab.Ceph.ClientCommandAsync("rados", ["-c", lab.Ceph.ConfigPath, "-p", lab.Pool, "stat", $"haagent.hb.{host}"], TimeSpan.FromSeconds(10));
            if (stat.ExitCode == 0)
            {
                return stat.StandardOutput.Trim();
            }
            Assert.True(DateTime.UtcNow < until, $"no storage heartbeat of {host} within {bound}: {stat.StandardError.Trim()}");
            await Task.Delay(200);
        }
    }
}
