namespace HaAgent.Agent.Configuration;

internal sealed class CephAgentOptions
{
    /// <summary>ceph.conf with the mon addresses.</summary>
    public string ConfigFile { get; set; } = "/etc/ceph/ceph.conf";

    /// <summary>This host's own identity ("client.NAME"): writes the heartbeat, and is what a peer fences.</summary>
    public string ClientName { get; set; } = "";

    public string Keyring { get; set; } = "";

    /// <summary>The least-privilege fencing identity: <c>mon 'allow r, allow command "osd blocklist"'</c>.</summary>
    public string FencerClientName { get; set; } = "client.fencer";

    public string FencerKeyring { get; set; } = "";

    /// <summary>Pool holding the per-host heartbeat objects (<c>haagent.hb.HOSTID</c>).</summary>
    public string HeartbeatPool { get; set; } = "";

    /// <summary>
    /// Blocklist entries last this long. An entry that expires lets a still-living fenced client write again, so it
    /// must outlast any fenced host that was not power-cycled; ceph-csi uses ~5 years.
    /// </summary>
    public TimeSpan BlocklistExpiry { get; set; } = TimeSpan.FromDays(5 * 365);

    /// <summary>Bound on each mon command and OSD operation (librados whole seconds).</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
