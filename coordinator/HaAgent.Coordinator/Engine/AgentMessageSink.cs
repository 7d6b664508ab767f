using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// The agent endpoint's way in: forwards each message to the environment of the current term, or drops it when
/// this instance does not lead (the endpoint then answers 503 because <see cref="CurrentEpoch"/> is 0).
/// </summary>
internal sealed class AgentMessageSink : IAgentMessageSink
{
    private CoordinatorEnvironment? _term;

    public long CurrentEpoch => Volatile.Read(ref _term) is { } term ? term.Epoch : 0;

    public void Accept(AgentMessage message, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(message);
        Volatile.Read(ref _term)?.Accept(message, receivedAt);
    }

    internal void Attach(CoordinatorEnvironment term) => Volatile.Write(ref _term, term);

    internal void Detach(CoordinatorEnvironment term) => Interlocked.CompareExchange(ref _term, null, term);
}
