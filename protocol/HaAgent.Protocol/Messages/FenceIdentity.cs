namespace HaAgent.Protocol.Messages;

/// <summary>What a peer must cut to fence this host: its Ceph client addresses and its iSCSI reservation key.</summary>
/// <param name="CephClientAddresses">Ceph entity addresses, <c>IP:PORT/NONCE</c>, e.g. <c>127.99.0.5:0/3271329370</c>.</param>
/// <param name="IscsiPrKey">SCSI-3 persistent-reservation key, hex (up to 16 digits, optional <c>0x</c>), or null.</param>
public sealed record FenceIdentity(IReadOnlyList<string> CephClientAddresses, string? IscsiPrKey);
