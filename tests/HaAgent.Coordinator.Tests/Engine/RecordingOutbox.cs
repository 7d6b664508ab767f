using HaAgent.Coordinator.Agents;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>Stamps orders as the agent endpoint's outbox does (epoch, per-host sequence from 1) and keeps them for the test to read.</summary>
internal sealed class RecordingOutbox : IAgentOrderOutbox
{
    private readonly Lock _gate = new();
    private readonly List<(string HostId, AgentOrder Order)> _sent = [];
    private readonly Dictionary<(string HostId, long Epoch), long> _sequences = [];
    private int _clears;

    public int Clears => Volatile.Read(ref _clears);

    public IReadOnlyList<(string HostId, AgentOrder Order)> Sent
    {
        get
        {
            lock (_gate)
            {
                return [.. _sent];
            }
        }
    }

    public AgentOrder Send(string hostId, long epoch, Func<OrderStamp, AgentOrder> build)
    {
        lock (_gate)
        {
            _sequences.TryGetValue((hostId, epoch), out var sequence);
            _sequences[(hostId, epoch)] = ++sequence;
            var order = build(new OrderStamp(epoch, sequence));
            _sent.Add((hostId, order));
            return order;
        }
    }

    public void Clear() => Interlocked.Increment(ref _clears);

    public IReadOnlyList<(string HostId, T Order)> OfType<T>()
        where T : AgentOrder =>
        [.. Sent.Where(static s => s.Order is T).Select(static s => (s.HostId, (T)s.Order))];
}
