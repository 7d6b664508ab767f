namespace HaAgent.Protocol.Envelope;

/// <summary>
/// Nonces seen within the clock-skew window, bounded. A nonce is forgotten only together with a raise of the
/// <see cref="Floor"/>: frames stamped at or before the floor are refused as expired, so forgetting never reopens
/// a replay.
/// </summary>
internal sealed class ReplayCache
{
    private readonly int _capacity;
    private readonly HashSet<(string HostId, UInt128 Nonce)> _seen = [];
    private readonly PriorityQueue<(string HostId, UInt128 Nonce), long> _byTime = new();
    private readonly Lock _lock = new();

    public ReplayCache(int capacity) => _capacity = capacity;

    /// <summary>Unix milliseconds; frames at or before it are refused.</summary>
    public long Floor { get; private set; } = long.MinValue;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <returns><see cref="DecodeErrorKind.Expired"/>, <see cref="DecodeErrorKind.Replayed"/>, or null when recorded.</returns>
    public DecodeErrorKind? TryRecord(string hostId, UInt128 nonce, long timestampMs, long oldestAcceptableMs)
    {
        lock (_lock)
        {
            while (_byTime.TryPeek(out var oldest, out var at) && (at < oldestAcceptableMs || _seen.Count >= _capacity))
            {
                _byTime.Dequeue();
                _seen.Remove(oldest);
                Floor = Math.Max(Floor, at);
            }

            if (timestampMs <= Floor)
            {
                return DecodeErrorKind.Expired;
            }

            if (!_seen.Add((hostId, nonce)))
            {
                return DecodeErrorKind.Replayed;
            }

            _byTime.Enqueue((hostId, nonce), timestampMs);
            return null;
        }
    }
}
