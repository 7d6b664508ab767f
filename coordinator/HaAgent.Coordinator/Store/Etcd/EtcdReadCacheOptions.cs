namespace HaAgent.Coordinator.Store.Etcd;

/// <summary>Store:Etcd:ReadCache:* — the API's watch-fed read cache (<see cref="EtcdReadCache"/>).</summary>
internal sealed class EtcdReadCacheOptions
{
    /// <summary>Off: every API read goes to etcd (a page of 1 000 then costs O(keys after the cursor) in etcd 3.4).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Comma-separated document key prefixes kept in memory: what the API lists and reads by id.</summary>
    public string Prefixes { get; set; } = "hosts/,rules/,vms/";

    /// <summary>How often the watch asks etcd for a progress answer — the cache's proof that etcd still talks to it.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The staleness bound: when the newest answered progress request was sent longer ago than this, reads go to
    /// etcd instead (which answers, or fails with 503 after the call timeout). So a frozen, dead or partitioned etcd
    /// makes the cache stop answering within this bound.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a read waits for the cache to reach this coordinator's last write before it reads etcd instead.</summary>
    public TimeSpan CatchUpWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>No progress answer for this long: the watch is torn down and the cache reloaded.</summary>
    public TimeSpan WatchdogTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Keys per range request of a (re)load; etcd 3.4 walks every key after the cursor per request, so big pages.</summary>
    public int LoadPageSize { get; set; } = 10_000;

    /// <summary>Deadline of one load page.</summary>
    public TimeSpan LoadCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Memory bound (estimated managed bytes of keys, values and index); above it the cache turns itself off and reads go to etcd.</summary>
    public long MaxBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Pause between a failed load or watch and the next attempt.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The prefixes, validated (store key prefixes, none a prefix of another) and in ordinal order.</summary>
    public string[] ParsePrefixes()
    {
        var prefixes = Prefixes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Array.Sort(prefixes, StringComparer.Ordinal);
        for (var i = 0; i < prefixes.Length; i++)
        {
            StoreLimits.ValidatePrefix(prefixes[i]);
            if (prefixes[i].Length == 0 || (i > 0 && prefixes[i].StartsWith(prefixes[i - 1], StringComparison.Ordinal)))
            {
                throw new ArgumentException($"read cache prefix '{prefixes[i]}' is empty or overlaps another", nameof(Prefixes));
            }
        }
        return prefixes;
    }
}
