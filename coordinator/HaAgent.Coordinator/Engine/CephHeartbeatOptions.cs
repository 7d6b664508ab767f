namespace HaAgent.Coordinator.Engine;

/// <summary>The RADOS objects <c>haagent.hb.HOSTID</c> in <see cref="Pool"/>, read with a read-only client.</summary>
internal sealed class CephHeartbeatOptions
{
    public string ConfigFile { get; set; } = "/etc/ceph/ceph.conf";

    /// <summary>A client with read access to the heartbeat pool ("client.haagent-coordinator").</summary>
    public string ClientName { get; set; } = "";

    public string Keyring { get; set; } = "";

    /// <summary>The agents' <c>ceph.heartbeatPool</c>.</summary>
    public string Pool { get; set; } = "";

    /// <summary>Bound on the connect and on each read.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
