namespace HaAgent.Agent.Fencing;

/// <summary>READ KEYS after REGISTER AND IGNORE EXISTING KEY lists this host's key again.</summary>
internal sealed record IscsiRegisteredProof(string Portal, string TargetIqn, int Lun, uint Generation, IReadOnlyList<ulong> RegisteredKeys) : FenceProof;
