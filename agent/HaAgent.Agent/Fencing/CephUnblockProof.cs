namespace HaAgent.Agent.Fencing;

/// <summary>"osd blocklist ls" after the removals no longer lists <see cref="Removed"/>.</summary>
internal sealed record CephUnblockProof(IReadOnlyList<string> Removed, uint ObservedEpoch) : FenceProof;
