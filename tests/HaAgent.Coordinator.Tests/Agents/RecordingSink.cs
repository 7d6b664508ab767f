using System.Collections.Concurrent;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Store;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Agents;

/// <summary>Stands where the engine will: leads when the store says so (unless a test forces an epoch) and keeps every message.</summary>
internal sealed class RecordingSink(ICoordinatorStore store) : IAgentMessageSink
{
    private const long FollowStore = -1;

    private long _forcedEpoch = FollowStore;

    public ConcurrentQueue<AgentMessage> Accepted { get; } = new();

    public long StoreEpoch => store.CurrentLeadership is { IsLost: false } leadership ? leadership.Epoch : 0;

    public long CurrentEpoch => Interlocked.Read(ref _forcedEpoch) is var forced && forced != FollowStore ? forced : StoreEpoch;

    /// <summary>Pretends to lead under <paramref name="epoch"/> (0: not leading) until <see cref="FollowTheStore"/>.</summary>
    public void ForceEpoch(long epoch) => Interlocked.Exchange(ref _forcedEpoch, epoch);

    public void FollowTheStore() => Interlocked.Exchange(ref _forcedEpoch, FollowStore);

    public IReadOnlyList<AgentMessage> From(string hostId) => [.. Accepted.Where(m => m.HostId == hostId)];

    public void Accept(AgentMessage message, DateTimeOffset receivedAt) => Accepted.Enqueue(message);
}
