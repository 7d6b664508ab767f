using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// Stand-in until the engine registers its own <see cref="IAgentMessageSink"/>: leads exactly when the store says
/// this instance leads (so agents get real acks and 503s) and drops every message.
/// </summary>
internal sealed class LeadershipFollowingMessageSink(ICoordinatorStore store) : IAgentMessageSink
{
    private long _dropped;

    public long CurrentEpoch => store.CurrentLeadership is { IsLost: false } leadership ? leadership.Epoch : 0;

    /// <summary>Messages accepted and dropped because no engine is wired.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Accept(AgentMessage message, DateTimeOffset receivedAt) => Interlocked.Increment(ref _dropped);
}
