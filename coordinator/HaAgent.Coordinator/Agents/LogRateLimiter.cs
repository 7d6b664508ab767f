using System.Collections.Concurrent;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// One log line per key per interval; the lines in between are counted and reported with the next one. Keys are
/// host ids the coordinator knows (or a shared bucket for everything else), so an attacker inventing host ids cannot
/// grow it; <see cref="MaxKeys"/> bounds it anyway.
/// </summary>
internal sealed class LogRateLimiter(TimeProvider time, TimeSpan interval)
{
    public const int MaxKeys = 100_000;

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);

    /// <summary>True when a line for <paramref name="key"/> may be written now; <paramref name="suppressed"/> = lines skipped since the last one.</summary>
    public bool TryAcquire(string key, out int suppressed)
    {
        if (_slots.Count >= MaxKeys)
        {
            _slots.Clear();
        }
        var slot = _slots.GetOrAdd(key, static _ => new Slot());
        var now = time.GetTimestamp();
        lock (slot)
        {
            if (slot.Written && now - slot.LastWritten < _intervalTicks)
            {
                slot.Suppressed++;
                suppressed = 0;
                return false;
            }
            suppressed = slot.Suppressed;
            slot.Suppressed = 0;
            slot.LastWritten = now;
            slot.Written = true;
            return true;
        }
    }

    private sealed class Slot
    {
        public long LastWritten;
        public int Suppressed;
        public bool Written;
    }
}
