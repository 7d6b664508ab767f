using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Protocol.StorageHeartbeat;

namespace HaAgent.Agent.Heartbeat;

/// <summary>
/// Writes the next record to every store, each bounded in time. The sequence advances once per round whether or not a
/// store took it, so a reader sees gaps, never a repeated number with different content.
/// </summary>
internal sealed class HeartbeatWriter
{
    private readonly AgentIdentity _identity;
    private readonly AgentStateStore _state;
    private readonly IReadOnlyList<IHeartbeatStore> _stores;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private long _sequence;

    public HeartbeatWriter(AgentIdentity identity, AgentStateStore state, IReadOnlyList<IHeartbeatStore> stores, TimeProvider time, TimeSpan timeout)
    {
        _identity = identity;
        _state = state;
        _stores = stores;
        _time = time;
        _timeout = timeout;
    }

    public IReadOnlyList<IHeartbeatStore> Stores => _stores;

    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>One round: the record written and, per store, null on success or what went wrong.</summary>
    public async Task<(HeartbeatRecord Record, IReadOnlyList<Exception?> Errors)> WriteOnceAsync(CancellationToken cancellationToken)
    {
        var state = _state.Current;
        var selfFence = state.PendingSelfFences.Count > 0 ? state.PendingSelfFences[^1].At : (DateTimeOffset?)null;
        var record = new HeartbeatRecord(
            _identity.HostId,
            _identity.Incarnation,
            Interlocked.Increment(ref _sequence),
            _time.GetUtcNow(),
            state.HighestToken,
            selfFence,
            _stores.Select(s => s.CephClientAddress).FirstOrDefault(a => a is not null));
        var writes = _stores.Select(store => WriteAsync(store, record, cancellationToken)).ToArray();
        var errors = await Task.WhenAll(writes).ConfigureAwait(false);
        return (record, errors);
    }

    private async Task<Exception?> WriteAsync(IHeartbeatStore store, HeartbeatRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await BoundedStep.RunAsync($"heartbeat {store.Name}", () => store.Write(record), _timeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return e;
        }
    }
}
