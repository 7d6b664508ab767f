namespace HaAgent.Coordinator.Engine;

/// <summary>
/// <c>Engine:StorageHeartbeat</c>: the RADOS pool and/or iSCSI LUN the agents write their heartbeat records to.
/// Neither configured: the core never sees a storage heartbeat, so every silent host counts as "dead" (storage
/// stalled) rather than "isolated" — both are fenced before anything restarts, so this changes the verdict's name and
/// evidence, never safety; a storage-only outage (network alive) is then not noticed at all.
/// </summary>
internal sealed class StorageHeartbeatOptions
{
    /// <summary>Each host's record is read this often (the agents write once a second).</summary>
    public TimeSpan ReadPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reads in flight at once (one RADOS read per host per round).</summary>
    public int Parallelism { get; set; } = 8;

    public CephHeartbeatOptions? Ceph { get; set; }

    public IscsiHeartbeatOptions? Iscsi { get; set; }
}
