namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>What the audit log keeps of a VM definition instead of the XML: its SHA-256 (hex), size and UUID.</summary>
internal sealed record DefinitionDigest(string Sha256, int Bytes, string? Uuid);
