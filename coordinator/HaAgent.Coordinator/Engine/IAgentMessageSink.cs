using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// Where the agent endpoint hands every authenticated, valid agent message (hello, heartbeat, VM report, VM
/// definition, order result, self-fence report). Implemented by the engine, which turns them into the decision
/// core's observations. <see cref="Accept"/> never blocks on the store or the core.
/// </summary>
internal interface IAgentMessageSink
{
    /// <summary>The epoch this instance leads under; zero when it does not lead (agents are then told to go elsewhere).</summary>
    long CurrentEpoch { get; }

    void Accept(AgentMessage message, DateTimeOffset receivedAt);
}
