using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;

namespace HaAgent.Benchmarks.Coordinator;

/// <summary>
/// The engine's place for the endpoint benchmark: leads while the store's leadership holds and drops every message
/// (the engine's Accept is not what is measured). Main has no stand-in sink any more; the engine registers the real one.
/// </summary>
internal sealed class StoreLeadershipSink(ICoordinatorStore store) : IAgentMessageSink
{
    public long CurrentEpoch => store.CurrentLeadership is { IsLost: false } leadership ? leadership.Epoch : 0;

    public void Accept(AgentMessage message, DateTimeOffset receivedAt)
    {
    }
}
