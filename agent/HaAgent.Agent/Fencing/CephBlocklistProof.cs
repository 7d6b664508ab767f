namespace HaAgent.Agent.Fencing;

/// <summary>
/// Every ordered entry was found in "osd blocklist ls" after the adds; <see cref="BlocklistEpoch"/> is the newest osdmap
/// epoch an add was committed in, and the executor then held osdmap <see cref="ObservedEpoch"/> (≥ it).
/// </summary>
internal sealed record CephBlocklistProof(uint BlocklistEpoch, uint ObservedEpoch, IReadOnlyList<CephBlocklistProofEntry> Entries) : FenceProof
{
    public override string ToString() =>
        $"osdmap {ObservedEpoch} (entries at {BlocklistEpoch}) lists [{string.Join(',', Entries.Select(e => e.Address))}]";
}
