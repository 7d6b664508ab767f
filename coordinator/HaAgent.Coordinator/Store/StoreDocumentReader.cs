namespace HaAgent.Coordinator.Store;

/// <summary>Reads straight from the store (SQLite: its reads are local and cheap; etcd without the cache).</summary>
internal sealed class StoreDocumentReader(ICoordinatorStore store) : IDocumentReader
{
    public Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken) => store.GetAsync(key, cancellationToken);

    public Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(prefix, startAfter, limit, cancellationToken);
}
