using System.Diagnostics;
using HaAgent.Agent.Tests.Link;
using HaAgent.NativeInterop.Iscsi;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Iscsi;
using HaAgent.Testing.Libvirt;
using Xunit.Abstractions;
using static HaAgent.Agent.Tests.Fixtures.AgentTestHosts;

namespace HaAgent.Agent.Tests.Orders;

/// <summary>A fence order with an iSCSI target, delivered over HTTP to the whole agent, preempts the victim's key on a real tgtd.</summary>
public sealed class IscsiFenceOrderTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new("agent-iscsi-order");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task FenceOrder_IscsiTarget_VictimPreemptedAndResultCarriesKeys()
    {
        Requires.Library("libiscsi.so.7", "libiscsi7");
        await using var target = await TgtTarget.StartAsync();
        using var victim = ReservedByVmA(target);
        var (vmA, vmB) = (victim.VmA, victim.VmB);
        vmA.WriteBlocks(0, Block(vmA, 0x41));
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        await using var agent = new AgentUnderTest(_directory, "host-b");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret) { Epoch = 2 };
        agent.Configure([coordinator.BaseUrl], vms.Uri, extra: $$"""
            ,
              "iscsi": {
                "initiatorIqn": "{{AgentInitiatorB}}", "reservationKey": "0x{{KeyB:X16}}", "portals": [ "{{target.Portal}}" ], "commandTimeout": "00:00:03"
              }
            """);
        await agent.StartAsync();

        var hello = (HelloMessage)(await coordinator.WaitForAsync<HelloMessage>(_ => true, Wait)).Message;
        Assert.Equal($"0x{KeyB:X16}", hello.Fence.IscsiPrKey);
        await coordinator.WaitForAsync<HeartbeatMessage>(h => h.LastStamp.Epoch == 2, Wait);

        var fence = new FenceOrder("fence-hostA-2-1", new OrderStamp(2, 1), "hostA", [],
            [new HaAgent.Protocol.Messages.IscsiFenceTarget(target.TargetIqn, 1, $"0x{KeyA:X16}")]);
        var sent = Stopwatch.GetTimestamp();
        coordinator.Enqueue(fence);
        var received = await coordinator.ResultOfAsync(fence.OrderId, Wait);
        var result = (OrderResultMessage)received.Message;

        Assert.True(result.Outcome == OrderOutcome.Succeeded, result.FailureMessage);
        var evidence = Assert.Single(result.Iscsi);
        Assert.Equal((target.TargetIqn, 1), (evidence.Target, evidence.Lun));
        Assert.Contains($"0x{KeyB:X16}", evidence.Keys);
        Assert.DoesNotContain($"0x{KeyA:X16}", evidence.Keys);
        Assert.Null(result.Ceph);
        output.WriteLine($"iSCSI fence order queued -> result at the coordinator: {(received.At - sent) * 1000.0 / Stopwatch.Frequency:F1} ms; keys [{string.Join(", ", evidence.Keys)}]");
        Assert.Equal(ScsiStatus.ReservationConflict, WriteRefused(vmA, 0xAA).Status);
        Assert.Equal(Block(vmB, 0x41), vmB.ReadBlocks(0, 1));
    }
}
