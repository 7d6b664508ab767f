namespace HaAgent.Core.Observations;

/// <summary>
/// The blocklist entry was committed in OSD map <paramref name="BlocklistEpoch"/>, and the executor then saw map
/// <paramref name="ObservedOsdmapEpoch"/> listing <paramref name="BlocklistedAddresses"/>. Proven when the observed map is
/// at least the blocklist's and every ordered address is listed: OSDs at that map refuse the victim's writes.
/// </summary>
public sealed record CephBlocklistEvidence(long BlocklistEpoch, long ObservedOsdmapEpoch, IReadOnlyList<string> BlocklistedAddresses)
    : FenceEvidence
{
    public override string ToString() =>
        $"osdmap {ObservedOsdmapEpoch} seen, blocklist entry at epoch {BlocklistEpoch}, lists [{string.Join(',', BlocklistedAddresses)}]";
}
