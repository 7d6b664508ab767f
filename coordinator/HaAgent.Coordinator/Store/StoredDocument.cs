namespace HaAgent.Coordinator.Store;

/// <summary>
/// A document and its version: the store revision of its last write, so versions only grow, across keys and across
/// delete-and-recreate (no ABA for compare-and-swap).
/// </summary>
internal sealed record StoredDocument(string Key, ReadOnlyMemory<byte> Value, long Version)
{
    /// <summary>
    /// Held by the etcd read cache: this same object is handed out until the document changes, so an answer rendered
    /// from it may be kept with it (<see cref="Rendered"/>). Not part of equality.
    /// </summary>
    public bool Cached { get; init; }

    /// <summary>The API's answer for this document (its JSON with <c>version</c> set), memoised on cached documents. Not part of equality.</summary>
    public byte[]? Rendered { get; set; }

    public bool Equals(StoredDocument? other) =>
        other is not null && Key == other.Key && Value.Equals(other.Value) && Version == other.Version;

    public override int GetHashCode() => HashCode.Combine(Key, Value, Version);
}
