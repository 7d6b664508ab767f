namespace HaAgent.Agent.Fencing;

/// <summary>One blocklist entry as the mon listed it.</summary>
internal sealed record CephBlocklistProofEntry(string Address, bool WholeHost, DateTimeOffset Until);
