namespace HaAgent.Testing.Ceph;

/// <summary>How the throwaway cluster is built.</summary>
public sealed class CephClusterOptions
{
    /// <summary>Pool created with size 1 and 8 PGs.</summary>
    public string Pool { get; init; } = "ha";

    /// <summary>
    /// Paxos propose interval and min wait of 10 ms instead of the 1 s default. Every mon write (blocklist add, pool
    /// create) otherwise waits up to a second; production mons keep the default, so benchmarks report both.
    /// </summary>
    public bool FastPaxos { get; init; } = true;

    /// <summary>Host identities ("hostA") seeded at mon mkfs as client.NAME with mon 'allow r', osd 'allow rwx pool=POOL'.</summary>
    public IReadOnlyList<string> HostClients { get; init; } = [];

    /// <summary>Extra [osd] options, e.g. fault injection ("ms_inject_delay_type" = "mon").</summary>
    public IReadOnlyDictionary<string, string> OsdSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Address the mon and the OSD bind to. Another loopback address (127.99.0.1) only makes sense together with
    /// <see cref="NetworkNamespace"/>, whose interface carries it.
    /// </summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>Ceph's "public network": the OSD binds to the address of this range; must contain <see cref="BindAddress"/>.</summary>
    public string PublicNetwork { get; init; } = "127.0.0.0/8";

    /// <summary>Mon port; null picks a free one (in the caller's namespace, so set it when the cluster runs in another).</summary>
    public int? MonPort { get; init; }

    /// <summary>
    /// Named network namespace (ip netns) the daemons and every ceph/rados CLI call of the fixture run in; null = the
    /// caller's. Clients outside that namespace cannot reach the cluster unless the namespace is routed to them.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Bound on the whole start; past it the start fails, tears down and names the log directory.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
