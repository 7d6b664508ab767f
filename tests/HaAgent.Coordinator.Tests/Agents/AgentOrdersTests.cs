using System.Diagnostics;
using System.Net;
using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Agents;

public sealed class AgentOrdersTests(AgentHostFixture fixture) : IClassFixture<AgentHostFixture>
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(AgentHost.PollSeconds / 2);

    private AgentHost Host => fixture.Host;

    private long Epoch => Host.Sink.StoreEpoch;

    [Fact]
    public async Task Poll_WithAnOrderQueued_GetsItAtOnce()
    {
        using var agent = Host.Agent("node-01");
        var sent = Stop(agent.HostId, "vm-a");

        var watch = Stopwatch.StartNew();
        using var response = await agent.PollAsync(default);

        var order = Assert.IsType<StopVmOrder>(await agent.ReadOrderAsync(response));
        Assert.True(watch.Elapsed < Quick, $"took {watch.Elapsed}");
        Assert.Equal(sent, order);
        Assert.Equal(new OrderStamp(Epoch, 1), order.Stamp);
        Assert.Empty(Host.Sink.From(agent.HostId));
    }

    [Fact]
    public async Task Poll_WithNothingQueued_WaitsAndGetsAnOrderQueuedLater()
    {
        using var agent = Host.Agent("node-02");
        var poll = agent.PollAsync(default);
        await Task.Delay(300);
        Assert.False(poll.IsCompleted);

        var sent = Stop(agent.HostId, "vm-b");
        using var response = await poll.WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5));

        Assert.Equal(sent, await agent.ReadOrderAsync(response));
    }

    [Fact]
    public async Task Poll_WithNothingQueued_Is204AfterThePollTime()
    {
        using var agent = Host.Agent("node-03");
        var before = Host.Metrics[AgentCounter.PollEmpty];
        var watch = Stopwatch.StartNew();
        using var response = await agent.PollAsync(default).WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.InRange(watch.Elapsed.TotalSeconds, AgentHost.PollSeconds - 0.1, AgentHost.PollSeconds + 4);
        Assert.True(Host.Metrics[AgentCounter.PollEmpty] > before);
    }

    [Fact]
    public async Task Received_ForgetsDeliveredOrders_UnacknowledgedOnesAreRedelivered()
    {
        using var agent = Host.Agent("node-04");
        var first = Stop(agent.HostId, "vm-1");
        var second = Stop(agent.HostId, "vm-2");

        using (var response = await agent.PollAsync(default))
        {
            Assert.Equal(first, await agent.ReadOrderAsync(response));
        }
        // The answer was "lost": the agent polls again with the same Received and gets the same order.
        using (var response = await agent.PollAsync(default))
        {
            Assert.Equal(first, await agent.ReadOrderAsync(response));
        }
        using (var response = await agent.PollAsync(first.Stamp))
        {
            Assert.Equal(second, await agent.ReadOrderAsync(response));
        }
        Assert.Equal(1, Host.Outbox.QueuedFor(agent.HostId));
        using (var response = await agent.PollAsync(second.Stamp))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        Assert.Equal(0, Host.Outbox.QueuedFor(agent.HostId));
    }

    [Fact]
    public async Task NewEpoch_RestartsTheSequence_AndDropsTheOlderEpochsOrders()
    {
        using var agent = Host.Agent("node-05");
        var epoch = Epoch;
        Assert.Equal(new OrderStamp(epoch, 1), Stop(agent.HostId, "vm-1").Stamp);
        Assert.Equal(new OrderStamp(epoch, 2), Stop(agent.HostId, "vm-2").Stamp);

        Host.Sink.ForceEpoch(epoch + 1);
        try
        {
            var newer = Host.Outbox.Send(agent.HostId, epoch + 1, stamp => new StopVmOrder($"stop-vm-3-{stamp}", stamp, "vm-3"));
            Assert.Equal(new OrderStamp(epoch + 1, 1), newer.Stamp);
            Assert.Equal(1, Host.Outbox.QueuedFor(agent.HostId));

            // A late order of the superseded term is stamped but never queued.
            var late = Host.Outbox.Send(agent.HostId, epoch, stamp => new StopVmOrder($"stop-late-{stamp}", stamp, "vm-4"));
            Assert.Equal(1, Host.Outbox.QueuedFor(agent.HostId));
            Assert.Equal(epoch, late.Stamp.Epoch);

            using var response = await agent.PollAsync(new OrderStamp(epoch, 2));
            Assert.Equal(newer, await agent.ReadOrderAsync(response));
        }
        finally
        {
            Host.Sink.FollowTheStore();
        }
    }

    [Fact]
    public async Task SecondPoll_ReleasesTheFirstWith204_AndGetsTheOrder()
    {
        using var agent = Host.Agent("node-06");
        var first = agent.PollAsync(default);
        await Task.Delay(200);
        var watch = Stopwatch.StartNew();
        var second = agent.PollAsync(default);

        using (var released = await first.WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5)))
        {
            Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
            Assert.True(watch.Elapsed < Quick, $"released after {watch.Elapsed}");
        }
        Assert.False(second.IsCompleted);
        var sent = Stop(agent.HostId, "vm-c");
        using var response = await second.WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5));
        Assert.Equal(sent, await agent.ReadOrderAsync(response));
    }

    [Fact]
    public async Task Clear_DropsQueuedOrders_AndReleasesAWaitingPoll()
    {
        using var agent = Host.Agent("node-07");
        using var other = Host.Agent("node-08");
        Stop(agent.HostId, "vm-1");
        Stop(agent.HostId, "vm-2");
        var waiting = other.PollAsync(default);
        await Task.Delay(200);

        var watch = Stopwatch.StartNew();
        Host.Outbox.Clear();

        using (var released = await waiting.WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5)))
        {
            Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
            Assert.True(watch.Elapsed < Quick, $"released after {watch.Elapsed}");
        }
        Assert.Equal(0, Host.Outbox.QueuedFor(agent.HostId));
        // Stamps are never reused after a clear: the next order of the same epoch continues the sequence.
        Assert.Equal(new OrderStamp(Epoch, 3), Stop(agent.HostId, "vm-3").Stamp);
    }

    [Fact]
    public async Task Poll_WhenLeadershipIsLostWhileWaiting_Is503()
    {
        using var agent = Host.Agent("node-09");
        var waiting = agent.PollAsync(default);
        await Task.Delay(200);
        Host.Sink.ForceEpoch(0);
        try
        {
            Host.Outbox.Clear();
            using var response = await waiting.WaitAsync(TimeSpan.FromSeconds(AgentHost.PollSeconds + 5));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.Contains(AgentEndpoint.LeaderHeader));
        }
        finally
        {
            Host.Sink.FollowTheStore();
        }
    }

    [Fact]
    public async Task QueuedOrder_OfAnEpochNoLongerLed_IsNeverDelivered()
    {
        using var agent = Host.Agent("node-13");
        var epoch = Epoch;
        Stop(agent.HostId, "vm-1");
        Host.Sink.ForceEpoch(0);
        try
        {
            using var response = await agent.PollAsync(default);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            Host.Sink.FollowTheStore();
        }
        // A newer term here (the engine did not clear): the older term's order is dropped, not delivered.
        Host.Sink.ForceEpoch(epoch + 1);
        try
        {
            using var response = await agent.PollAsync(default);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(0, Host.Outbox.QueuedFor(agent.HostId));
        }
        finally
        {
            Host.Sink.FollowTheStore();
        }
    }

    [Fact]
    public async Task Poll_FromAnotherHostsChannel_NeverSeesItsOrders()
    {
        using var owner = Host.Agent("node-10");
        using var stranger = Host.Agent("node-11");
        Stop(owner.HostId, "vm-x");
        using var response = await stranger.PollAsync(default);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(1, Host.Outbox.QueuedFor(owner.HostId));
    }

    [Fact]
    public async Task Heartbeat_PostedAsAPoll_Is400Type()
    {
        using var agent = Host.Agent("node-12");
        using var response = await agent.PostAsync(AgentEndpoint.OrdersPath, agent.Frame(agent.NextHeartbeat()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid type", (await response.Content.ReadAsStringAsync()).Trim());
        Assert.Empty(Host.Sink.From(agent.HostId));
    }

    private StopVmOrder Stop(string hostId, string vmId) =>
        (StopVmOrder)Host.Outbox.Send(hostId, Epoch, stamp => new StopVmOrder($"stop-{vmId}-{stamp.Epoch}-{stamp.Sequence}", stamp, vmId));
}
