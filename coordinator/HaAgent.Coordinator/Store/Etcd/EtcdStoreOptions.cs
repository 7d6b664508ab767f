namespace HaAgent.Coordinator.Store.Etcd;

internal sealed class EtcdStoreOptions
{
    /// <summary>etcd client URLs, comma-separated (http://127.0.0.1:2379,http://127.0.0.2:2379).</summary>
    public string Endpoints { get; set; } = "http://127.0.0.1:2379";

    /// <summary>Every key this store touches lives under this prefix, so several clusters can share one etcd. Ends with '/'.</summary>
    public string KeyPrefix { get; set; } = "/haagent/";

    /// <summary>Who this coordinator campaigns as.</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary>
    /// Lease of the leader key, whole seconds. A dead leader is replaced within about this long (plus up to 0.5 s of
    /// etcd's expiry sweep); etcd raises anything under its minimum (2 s with default election timing).
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadline of every single etcd call; a call that runs out becomes <see cref="StoreUnavailableException"/>.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a campaign retries while someone else leads.</summary>
    public TimeSpan CampaignPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Leadership counts as lost this long before the lease could expire on the server, for clock-rate drift.</summary>
    public TimeSpan ExpiryMargin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Store:Etcd:ReadCache:* — the watch-fed cache the API reads from.</summary>
    public EtcdReadCacheOptions ReadCache { get; set; } = new();
}
