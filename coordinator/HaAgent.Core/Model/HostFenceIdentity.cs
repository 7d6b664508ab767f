namespace HaAgent.Core.Model;

/// <summary>What a fence needs to cut a host off its volumes.</summary>
/// <param name="HostId">The host.</param>
/// <param name="Address">Its storage-network IP: a Ceph blocklist of this address covers every RADOS client the host runs.</param>
/// <param name="IscsiKey">Its SCSI-3 persistent-reservation key, registered on every LUN it writes; a peer PREEMPTs it.</param>
/// <param name="CephAddresses">
/// When given (non-empty), the exact Ceph client instances (<c>IP:0/NONCE</c>) the host's agent announced: the
/// blocklist names these instead of <paramref name="Address"/>.
/// </param>
public sealed record HostFenceIdentity(string HostId, string Address, string IscsiKey, IReadOnlyList<string>? CephAddresses = null)
{
    /// <summary>The addresses a Ceph fence blocklists; empty when nothing is known (the host cannot be Ceph-fenced).</summary>
    public IReadOnlyList<string> CephBlocklistAddresses =>
        CephAddresses is { Count: > 0 } exact ? exact : string.IsNullOrEmpty(Address) ? [] : [Address];
}
