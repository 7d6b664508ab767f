using HaAgent.Coordinator.Store;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// The <c>HaAgent-Leader</c> value a follower answers with: the configured base URL
/// (<c>Agents:LeaderUrls:&lt;instanceId&gt;</c>) of the instance the store names as leader, or empty. Looked up at
/// most once per <see cref="CacheFor"/> whatever the number of agents knocking, and never waited on for more than
/// <see cref="LookupTimeout"/>: a slow or unreachable store gives the last known (or empty) hint, never a slow 503.
/// </summary>
internal sealed class LeaderHint(ICoordinatorStore store, IOptions<AgentEndpointOptions> options, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private string _value = "";
    private long _fetchedAt = long.MinValue;
    private Task<string>? _lookup;

    public async ValueTask<string> GetAsync()
    {
        Task<string> lookup;
        lock (_gate)
        {
            if (_fetchedAt != long.MinValue && time.GetElapsedTime(_fetchedAt) < CacheFor)
            {
                return _value;
            }
            lookup = _lookup ??= LookUpAsync();
        }
        try
        {
            return await lookup.WaitAsync(LookupTimeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Volatile.Read(ref _value);
        }
    }

    private async Task<string> LookUpAsync()
    {
        var value = Volatile.Read(ref _value);
        try
        {
            using var timeout = new CancellationTokenSource(CacheFor, time);
            var leader = await store.GetLeaderAsync(timeout.Token).ConfigureAwait(false);
            value = leader is not null && options.Value.LeaderUrls.TryGetValue(leader.InstanceId, out var url) ? url : "";
        }
#pragma warning disable CA1031 // A hint: whatever the store throws, the agent still gets its 503 and rotates on.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        lock (_gate)
        {
            _value = value;
            _fetchedAt = time.GetTimestamp();
            _lookup = null;
        }
        return value;
    }
}
