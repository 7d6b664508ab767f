using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;

namespace HaAgent.Benchmarks.Engine;

/// <summary>Stamps orders as the agent endpoint's outbox does and only counts them (no agent is listening).</summary>
internal sealed class CountingOutbox : IAgentOrderOutbox
{
    private long _sequence;
    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    public AgentOrder Send(string hostId, long epoch, Func<OrderStamp, AgentOrder> build)
    {
        Interlocked.Increment(ref _sent);
        return build(new OrderStamp(epoch, Interlocked.Increment(ref _sequence)));
    }

    public void Clear()
    {
    }
}
