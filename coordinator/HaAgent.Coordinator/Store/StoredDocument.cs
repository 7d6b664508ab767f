namespace HaAgent.Coordinator.Store;

/// <summary>
/// A document and its version: the store revision of its last write, so versions only grow, across keys and across
/// delete-and-recreate (no ABA for compare-and-swap).
/// </summary>
internal sealed record StoredDocument(string Key, ReadOnlyMemory<byte> Value, long Version);
