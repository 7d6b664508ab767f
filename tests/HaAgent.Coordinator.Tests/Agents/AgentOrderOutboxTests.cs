using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Tests.Agents;

public sealed class AgentOrderOutboxTests
{
    private readonly AgentEndpointMetrics _metrics = new();

    [Fact]
    public void Send_BeyondTheQueueBound_IsRefusedAndCounted_StampsStayUnique()
    {
        var outbox = NewOutbox(maxQueued: 3);
        var stamps = Enumerable.Range(1, 5).Select(i => outbox.Send("h1", 4, s => Stop(s, i)).Stamp).ToList();
        Assert.Equal(3, outbox.QueuedFor("h1"));
        Assert.Equal(2, _metrics[AgentCounter.OrderRefusedQueueFull]);
        Assert.Equal(3, _metrics[AgentCounter.OrderQueued]);
        Assert.Equal(5, stamps.Distinct().Count());
        Assert.Equal(0, outbox.QueuedFor("h2"));
    }

    [Fact]
    public void Send_WithABuilderThatChangesTheStampOrBreaksTheContract_Throws()
    {
        var outbox = NewOutbox();
        Assert.Throws<ArgumentException>(() => outbox.Send("h1", 1, s => new StopVmOrder("o", s with { Sequence = 99 }, "vm")));
        Assert.Throws<ArgumentException>(() => outbox.Send("h1", 1, s => new StopVmOrder("bad id!", s, "vm")));
        Assert.Throws<ArgumentException>(() => outbox.Send("not a host", 1, s => Stop(s, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => outbox.Send("h1", 0, s => Stop(s, 1)));
        Assert.Equal(0, outbox.QueuedFor("h1"));
    }

    [Fact]
    public async Task Send_FromManyThreads_StampsEveryOrderOnceInOneGaplessSequence()
    {
        var outbox = NewOutbox(maxQueued: 100_000);
        var stamps = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                stamps.Add(outbox.Send("h1", 9, s => Stop(s, i)).Stamp.Sequence);
            }
        })));
        Assert.Equal(Enumerable.Range(1, 8000).Select(i => (long)i), stamps.Order());
        Assert.Equal(8000, outbox.QueuedFor("h1"));
    }

    [Fact]
    public async Task Poll_DeliversInStampOrder_OneAtATime()
    {
        var outbox = NewOutbox();
        var orders = Enumerable.Range(1, 4).Select(i => outbox.Send("h1", 2, s => Stop(s, i))).ToList();
        var received = default(OrderStamp);
        foreach (var expected in orders)
        {
            var result = await outbox.PollAsync("h1", received, 2, TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.Equal(PollEnd.Delivered, result.End);
            Assert.Equal(expected, result.Order);
            received = result.Order!.Stamp;
        }
        var empty = await outbox.PollAsync("h1", received, 2, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        Assert.Equal(PollEnd.TimedOut, empty.End);
    }

    [Fact]
    public void Send_UnderANewEpoch_DropsAndCountsTheOlderTermsOrders()
    {
        var outbox = NewOutbox();
        outbox.Send("h1", 3, s => Stop(s, 1));
        outbox.Send("h1", 3, s => Stop(s, 2));
        Assert.Equal(new OrderStamp(4, 1), outbox.Send("h1", 4, s => Stop(s, 3)).Stamp);
        Assert.Equal(1, outbox.QueuedFor("h1"));
        Assert.Equal(2, _metrics[AgentCounter.OrderDropped]);
    }

    [Fact]
    public async Task Poll_AbortedByTheAgent_EndsAtOnce()
    {
        var outbox = NewOutbox();
        using var gone = new CancellationTokenSource();
        var poll = outbox.PollAsync("h1", default, 1, TimeSpan.FromMinutes(1), gone.Token);
        await gone.CancelAsync();
        var result = await poll.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(PollEnd.Aborted, result.End);
    }

    private static StopVmOrder Stop(OrderStamp stamp, int i) => new($"stop-{stamp.Epoch}-{stamp.Sequence}-{i}", stamp, $"vm-{i}");

    private AgentOrderOutbox NewOutbox(int maxQueued = 1024) =>
        new(Options.Create(new AgentEndpointOptions { MaxQueuedOrdersPerHost = maxQueued }), _metrics, TimeProvider.System, NullLogger<AgentOrderOutbox>.Instance);
}
