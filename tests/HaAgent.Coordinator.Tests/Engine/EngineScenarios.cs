using System.Text.Json;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Protocol.Messages;
using CephEvidence = HaAgent.Protocol.Messages.CephBlocklistEvidence;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>Stories shared by the SQLite and etcd engine tests.</summary>
internal static class EngineScenarios
{
    public static readonly string[] Peers = ["h2", "h3"];

    /// <summary>All three agents say Hello and heartbeat; h1 reports vm1 running, so the engine adopts it there.</summary>
    public static async Task StartClusterAsync(EngineHarness harness)
    {
        foreach (var host in EngineHarness.Hosts)
        {
            harness.Hello(host);
        }
        harness.Report("h1", "vm1");
        await harness.TickUntilAsync(() => harness.Engine.Core!.VmStateOf("vm1") == (VmState.Running, "h1"), "vm1 adopted on h1", 5, EngineHarness.Hosts);
        await AssertVmDocumentHostAsync(harness, "vm1", "h1");
    }

    /// <summary>h1 falls silent on the network and on storage until a fence order for it goes to a peer.</summary>
    public static async Task<(string Executor, FenceOrder Order)> SilenceUntilFenceOrderAsync(EngineHarness harness)
    {
        await harness.TickUntilAsync(() => harness.Outbox.OfType<FenceOrder>().Count > 0, "a fence order for h1", 15, Peers);
        return harness.Outbox.OfType<FenceOrder>()[0];
    }

    public static CephEvidence Proof(params string[] addresses) => new(41, 42, addresses);

    /// <summary>From a healthy cluster to vm1 running on a peer after h1 died: the whole fence-first path.</summary>
    public static async Task<string> RunToRestartAsync(EngineHarness harness)
    {
        await StartClusterAsync(harness);
        var (executor, fence) = await SilenceUntilFenceOrderAsync(harness);
        Assert.Equal("h1", fence.Victim);
        Assert.Contains(executor, Peers);
        // The whole host first (QEMU's own Ceph clients have other nonces), then the exact client the agent reported.
        Assert.Equal(["127.0.0.11:0/0", EngineHarness.Address("h1")], fence.CephAddresses);
        Assert.Equal(harness.Leadership.Epoch, fence.Stamp.Epoch);
        Assert.Empty(harness.Outbox.OfType<StartVmOrder>()); // nothing restarts before the fence is proven

        harness.Result(executor, fence, OrderOutcome.Succeeded, Proof([.. fence.CephAddresses]));
        await harness.TickUntilAsync(() => harness.Outbox.OfType<StartVmOrder>().Count > 0, "a start order for vm1", 5, Peers);
        var (target, start) = harness.Outbox.OfType<StartVmOrder>()[0];
        Assert.Contains(target, Peers);
        Assert.Equal("vm1", start.VmId);
        Assert.Equal(EngineHarness.DomainXml, start.DomainXml);
        Assert.Equal([new VolumeSpec("rbd", "rbd", "vm1")], start.Volumes);
        Assert.StartsWith($"start-vm1-{harness.Leadership.Epoch}-", start.OrderId, StringComparison.Ordinal);

        harness.Result(target, start, OrderOutcome.Succeeded);
        harness.Report(target, "vm1");
        await harness.TickUntilAsync(() => harness.Engine.Core!.VmStateOf("vm1") == (VmState.Running, target), "vm1 running on " + target, 5, Peers);
        return target;
    }

    /// <summary>The audit log explains the failover, in order, and the snapshot holds the new placement.</summary>
    public static async Task AssertRecordedAsync(EngineHarness harness, string target)
    {
        // The step that audits "vm-started" commits it a moment after the core saw the VM run: read until it is there.
        var audit = await harness.EngineAuditAsync();
        for (var i = 0; i < 50 && !audit.Exists(r => r.Kind == "vm-started"); i++)
        {
            await Task.Delay(100);
            audit = await harness.EngineAuditAsync();
        }
        var order = new Func<EngineAuditRecordDocument, bool>[]
        {
            static r => r.Kind == "fence-ordered",
            static r => r.Kind == "fence-verified",
            static r => r.Kind == "vm-released",
            static r => r.Kind == "vm-start-ordered",
            r => r.Kind == "vm-started" && r.Decision == "running on " + target,
        }.Select(p => audit.FindIndex(r => p(r))).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Contains(audit, r => r.Kind == "status-change" && r.Subject == "host h1" && r.Decision.Contains("=> dead", StringComparison.Ordinal));
        var verified = Assert.Single(audit, static r => r.Kind == "fence-verified");
        Assert.Contains("osdmap 42", verified.Evidence, StringComparison.Ordinal);
        Assert.Contains(audit, r => r.Kind == "vm-started" && r.Decision == "running on " + target);

        var snapshot = await harness.Store.GetAsync(CoordinatorEngine.SnapshotKey, CancellationToken.None);
        Assert.NotNull(snapshot);
        var document = JsonSerializer.Deserialize(snapshot.Value.Span, EngineJsonContext.Default.SnapshotDocument)!;
        Assert.Equal(harness.Leadership.Epoch, document.Epoch);
        Assert.True(document.Fenced.ContainsKey("h1"));
        var shard = await harness.Store.GetAsync(CoordinatorEngine.ShardKey(CoordinatorEngine.ShardOf("vm1")), CancellationToken.None);
        var vms = JsonSerializer.Deserialize(shard!.Value.Span, EngineJsonContext.Default.VmShardDocument)!;
        Assert.Equal(target, vms.Placement["vm1"]);
        Assert.Empty(vms.Released);
        Assert.Equal(HostState.Fenced, harness.Engine.Core!.HostStateOf("h1"));
        await AssertVmDocumentHostAsync(harness, "vm1", target);
    }

    /// <summary>What GET /v1/vms/{id} shows: the VM document's "host" follows the core's placement (written a moment after the step's commit).</summary>
    public static async Task AssertVmDocumentHostAsync(EngineHarness harness, string vmId, string? host)
    {
        VmDocument? document = null;
        for (var i = 0; i < 50; i++)
        {
            var stored = await harness.Store.GetAsync(ApiStore.VmsPrefix + vmId, CancellationToken.None);
            document = JsonSerializer.Deserialize(stored!.Value.Span, ApiJsonContext.Default.VmDocument);
            if (document?.Host == host)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(host, document?.Host);
    }
}
