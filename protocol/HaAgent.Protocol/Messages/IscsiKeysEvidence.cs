namespace HaAgent.Protocol.Messages;

/// <summary>The registered reservation keys read back from one LUN after the preempt.</summary>
public sealed record IscsiKeysEvidence(string Target, int Lun, IReadOnlyList<string> Keys);
