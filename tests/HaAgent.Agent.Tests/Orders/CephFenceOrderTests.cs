using System.Diagnostics;
using System.Text;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.Agent.Tests.Link;
using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;

namespace HaAgent.Agent.Tests.Orders;

/// <summary>A fence order delivered over HTTP to the whole agent blocklists the victim on a real Ceph cluster, and the result carries the osdmap evidence.</summary>
[Collection(CephCollection.Name)]
public sealed class CephFenceOrderTests(CephClusterFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new("agent-fence-order");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task FenceOrder_OverHttp_VictimBlocklistedAndResultCarriesOsdmapEvidence()
    {
        var ceph = fixture.Cluster;
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        var objectName = $"vm-disk-{Guid.NewGuid():N}";
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        using var victimPool = victim.OpenPool(ceph.Pool);
        victimPool.WriteFull(objectName, "before-fence"u8);
        var victimAddress = victim.ClientAddress.ToString();

        var options = fixture.AgentOptions("hostB");
        await using var agent = new AgentUnderTest(_directory, $"host-b-{Guid.NewGuid():N}"[..14]);
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret) { Epoch = 3 };
        agent.Configure([coordinator.BaseUrl], vms.Uri, extra: $$"""
            ,
              "ceph": {
                "configFile": "{{options.ConfigFile}}", "clientName": "{{options.ClientName}}", "keyring": "{{options.Keyring}}",
                "fencerClientName": "{{options.FencerClientName}}", "fencerKeyring": "{{options.FencerKeyring}}",
                "heartbeatPool": "{{options.HeartbeatPool}}", "operationTimeout": "00:00:05"
              }
            """);
        await agent.StartAsync();
        try
        {
            // Once its storage heartbeat connected, the agent advertises its own Ceph client address (what a peer would fence).
            var hello = (HelloMessage)(await coordinator.WaitForAsync<HelloMessage>(h => h.Fence.CephClientAddresses.Count == 1, Wait)).Message;
            output.WriteLine($"hello advertises {hello.Fence.CephClientAddresses[0]}");
            await coordinator.WaitForAsync<HeartbeatMessage>(h => h.LastStamp.Epoch == 3, Wait);

            var fence = new FenceOrder("fence-hostA-3-1", new OrderStamp(3, 1), "hostA", [victimAddress], []);
            var sent = Stopwatch.GetTimestamp();
            coordinator.Enqueue(fence);
            var received = await coordinator.ResultOfAsync(fence.OrderId, Wait);
            var latency = (received.At - sent) * 1000.0 / Stopwatch.Frequency;
            var result = (OrderResultMessage)received.Message;

            Assert.True(result.Outcome == OrderOutcome.Succeeded, result.FailureMessage);
            var evidence = Assert.IsType<CephBlocklistEvidence>(result.Ceph);
            Assert.Equal([victimAddress], evidence.Addresses);
            Assert.True(evidence.ObservedOsdmapEpoch >= evidence.BlocklistEpoch && evidence.BlocklistEpoch > 0, $"{evidence}");
            output.WriteLine($"fence order queued -> result at the coordinator: {latency:F1} ms; blocklist epoch {evidence.BlocklistEpoch}, observed {evidence.ObservedOsdmapEpoch}");

            var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
            RadosException? refused = null;
            for (var n = 0; refused is null && Stopwatch.GetTimestamp() < deadline; n++)
            {
                try
                {
                    victimPool.WriteFull(objectName, Encoding.UTF8.GetBytes($"after-fence-{n}"));
                }
                catch (RadosException e)
                {
                    refused = e;
                }
            }
            Assert.NotNull(refused);
            Assert.True(refused.IsBlocklisted, refused.Message);

            // Delivered again (the result was lost, say): the remembered result, no second blocklist add.
            coordinator.EnqueueOnce(fence);
            await Task.Delay(300);
            Assert.Equal(2, coordinator.Messages<OrderResultMessage>().Count(r => r.OrderId == fence.OrderId && r.Outcome == OrderOutcome.Succeeded));

            // The fence is lifted by an unfence order (the address is on this host's loopback, so the agent owns it here).
            var unfence = new UnfenceOrder("unfence-3-2", new OrderStamp(3, 2), [], [victimAddress], []);
            coordinator.Enqueue(unfence);
            var lifted = (OrderResultMessage)(await coordinator.ResultOfAsync(unfence.OrderId, Wait)).Message;
            Assert.True(lifted.Outcome == OrderOutcome.Succeeded, lifted.FailureMessage);
            using var admin = fixture.Connect(ceph.Admin);
            Assert.DoesNotContain(admin.Blocklist.List(), e => e.Target == victimAddress);
        }
        finally
        {
            await agent.StopAsync();
            using var admin = fixture.Connect(ceph.Admin);
            admin.Blocklist.Remove(victim.ClientAddress); // absent is fine
        }
    }
}
