namespace HaAgent.Core.Model;

/// <summary>What a fence needs to cut a host off its volumes.</summary>
/// <param name="HostId">The host.</param>
/// <param name="Address">Its storage-network IP: a Ceph blocklist of this address covers every RADOS client the host runs.</param>
/// <param name="IscsiKey">Its SCSI-3 persistent-reservation key, registered on every LUN it writes; a peer PREEMPTs it.</param>
public sealed record HostFenceIdentity(string HostId, string Address, string IscsiKey);
