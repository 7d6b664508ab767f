namespace HaAgent.Protocol.Messages;

/// <summary>Proof a Ceph fence holds: the blocklist entries were added at <see cref="BlocklistEpoch"/> and the agent
/// saw an OSD map at least that new.</summary>
public sealed record CephBlocklistEvidence(long BlocklistEpoch, long ObservedOsdmapEpoch, IReadOnlyList<string> Addresses);
