using HaAgent.Agent.Orders;
using HaAgent.Agent.Restart;
using HaAgent.Agent.State;
using HaAgent.Agent.Tests.Link;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.Protocol.Gate;
using HaAgent.Protocol.Messages;
using HaAgent.Testing;
using HaAgent.Testing.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;

namespace HaAgent.Agent.Tests.Orders;

/// <summary>Orders delivered over HTTP to the whole agent: gate, persistence before acting, restart, stop/unfence on a test libvirtd.</summary>
public sealed class OrderLoopTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _directory = new("agent-orders");

    public void Dispose() => _directory.Dispose();

    [SkippableFact]
    public async Task StaleOrder_LowerStamp_RefusedAndGateFileUnchanged()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-web", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret) { Epoch = 5 };
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        var gateFile = OrderGateFile.BesideStateFile(agent.StateFile);
        // The leader's epoch from the heartbeat ack is on disk before any order of it arrives.
        await coordinator.WaitForAsync<HeartbeatMessage>(h => h.LastStamp == new OrderStamp(5, 0), Wait);
        Assert.True(OrderGateStateSerializer.TryDeserialize(await File.ReadAllBytesAsync(gateFile), out var floor));
        Assert.Equal(new OrderStamp(5, 0), floor.Highest);

        var first = new StopVmOrder("stop-nothing", new OrderStamp(5, 2), "ha-none");
        coordinator.Enqueue(first);
        var done = (OrderResultMessage)(await coordinator.ResultOfAsync(first.OrderId, Wait)).Message;
        Assert.Equal(OrderOutcome.Succeeded, done.Outcome);
        var before = await File.ReadAllBytesAsync(gateFile);

        var stale = new StopVmOrder("stop-web-old", new OrderStamp(5, 1), "ha-web");
        coordinator.EnqueueOnce(stale);
        var refused = (OrderResultMessage)(await coordinator.ResultOfAsync(stale.OrderId, Wait)).Message;

        Assert.Equal(OrderOutcome.Refused, refused.Outcome);
        Assert.Equal(FailureKind.StaleStamp, refused.FailureKind);
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
        Assert.Equal(before, await File.ReadAllBytesAsync(gateFile));

        // An older leader's order, whatever its sequence, is not obeyed (the heartbeat ack raised the floor to epoch 5);
        // its refusal is not even sent: the leader of epoch 5 ignores results of other epochs.
        var oldLeader = new StopVmOrder("stop-web-epoch4", new OrderStamp(4, 99), "ha-web");
        coordinator.EnqueueOnce(oldLeader);
        await Task.Delay(1000);
        Assert.DoesNotContain(coordinator.Messages<OrderResultMessage>(), r => r.OrderId == oldLeader.OrderId);
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
        Assert.Equal(before, await File.ReadAllBytesAsync(gateFile));
    }

    [SkippableFact]
    public async Task FinishedStart_RedeliveredAfterRestart_RememberedResultNotRepeated()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        var uuid = Guid.NewGuid();
        var start = new StartVmOrder("start-web-1-1", new OrderStamp(1, 1), "ha-web", LibvirtTestNode.DomainXml("ha-web", uuid), []);

        coordinator.Enqueue(start);
        var first = (OrderResultMessage)(await coordinator.ResultOfAsync(start.OrderId, Wait)).Message;
        Assert.True(first.Outcome == OrderOutcome.Succeeded, first.FailureMessage);
        var id = vms.Id("ha-web");
        vms.Destroy("ha-web"); // if the order ran again, the VM would come back up

        await agent.RestartAsync();
        var restartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        // The result was lost, say: the order comes again, to the new incarnation's poll.
        await coordinator.WaitForAsync<OrderPollMessage>(p => p.Incarnation == 2, Wait);
        coordinator.EnqueueOnce(start);
        var again = (OrderResultMessage)(await coordinator.WaitForAsync<OrderResultMessage>(r => r.OrderId == start.OrderId, Wait, restartedAt)).Message;

        Assert.Equal((first.Outcome, first.Stamp, first.FailureMessage), (again.Outcome, again.Stamp, again.FailureMessage));
        Assert.Equal(2, again.Incarnation);
        Assert.Equal(DomainState.ShutOff, vms.State("ha-web"));
        Assert.NotNull(id);
    }

    [SkippableFact]
    public async Task AcceptedStart_AgentDiedBeforeComplete_ResumedAndStartNotRepeated()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        var uuid = Guid.NewGuid();
        var start = new StartVmOrder("start-web-1-1", new OrderStamp(1, 1), "ha-web", LibvirtTestNode.DomainXml("ha-web", uuid), []);

        // The previous agent process: admitted and persisted the order, started the VM (journal "finished"), and died
        // before completing the gate.
        var gate = new OrderGate();
        new OrderGateFile(OrderGateFile.BesideStateFile(agent.StateFile)).Save(gate.Admit(start).StateToPersist!);
        var state = new AgentStateStore(agent.StateFile);
        var starter = new VmStartExecutor(
            new VmOrderPipeline(state, new CommandJournal(RestartServices.JournalPath(Path.GetFullPath(agent.StateFile)), TimeProvider.System),
                new VmOrderLocks(), ct => LibvirtConnection.OpenAsync(vms.Uri, TimeSpan.FromSeconds(5), ct),
                new VmOrderSettings("ha-", null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), TimeProvider.System),
            () => false, NullLogger<VmStartExecutor>.Instance);
        var report = await starter.ExecuteAsync(new StartCommand(start.OrderId, 1, "ha-web", uuid, start.DomainXml, []));
        Assert.True(report.Succeeded, report.Failure?.ToString());
        var id = vms.Id("ha-web");

        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();
        coordinator.Enqueue(start);
        var result = (OrderResultMessage)(await coordinator.ResultOfAsync(start.OrderId, Wait)).Message;

        Assert.True(result.Outcome == OrderOutcome.Succeeded, result.FailureMessage);
        Assert.Contains("already started", result.FailureMessage ?? "already started", StringComparison.Ordinal);
        Assert.Equal(id, vms.Id("ha-web")); // same domain id: not started a second time
        Assert.True(OrderGateStateSerializer.TryDeserialize(await File.ReadAllBytesAsync(OrderGateFile.BesideStateFile(agent.StateFile)), out var after));
        Assert.Empty(after.Accepted);
        Assert.Single(after.Results);
    }

    [SkippableFact]
    public async Task CorruptGateFile_EveryOrderRefusedLoudly_NothingExecuted()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-web", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        var gateFile = OrderGateFile.BesideStateFile(agent.StateFile);
        await File.WriteAllTextAsync(gateFile, "{ \"formatVersion\": 1, \"highest\": ");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();

        var stop = new StopVmOrder("stop-web", new OrderStamp(9, 1), "ha-web");
        coordinator.Enqueue(stop);
        var result = (OrderResultMessage)(await coordinator.ResultOfAsync(stop.OrderId, Wait)).Message;

        Assert.Equal(OrderOutcome.Refused, result.Outcome);
        Assert.Equal(FailureKind.Internal, result.FailureKind);
        Assert.Contains("corrupt", result.FailureMessage, StringComparison.Ordinal);
        Assert.Equal(DomainState.Running, vms.State("ha-web"));
        Assert.Equal("{ \"formatVersion\": 1, \"highest\": ", await File.ReadAllTextAsync(gateFile));
        Assert.NotNull(agent.Get<OrderDispatcher>().Broken);
    }

    [SkippableFact]
    public async Task Unfence_StopsHaVmsNotAllowed_KeepsAllowedOnes()
    {
        using var daemon = await LibvirtSessionDaemon.StartTestDriverAsync();
        using var vms = new LinkTestVms(daemon);
        vms.Define("ha-keep", start: true);
        vms.Define("ha-raced", start: true);
        await using var agent = new AgentUnderTest(_directory, "host-a");
        using var coordinator = new TestCoordinator(agent.HostId, agent.Secret);
        agent.Configure([coordinator.BaseUrl], vms.Uri);
        await agent.StartAsync();

        var unfence = new UnfenceOrder("unfence-1", new OrderStamp(1, 1), ["ha-keep"], [], []);
        coordinator.Enqueue(unfence);
        var result = (OrderResultMessage)(await coordinator.ResultOfAsync(unfence.OrderId, Wait)).Message;

        Assert.True(result.Outcome == OrderOutcome.Succeeded, result.FailureMessage);
        Assert.Equal(DomainState.Running, vms.State("ha-keep"));
        Assert.Equal(DomainState.ShutOff, vms.State("ha-raced"));
        Assert.Equal(DomainState.Running, vms.State("test")); // not HA-managed
    }
}
