namespace HaAgent.Coordinator.Store;

/// <summary>
/// The document reads the REST API answers from. On SQLite they go straight to the store; on etcd they are served by
/// <see cref="Etcd.EtcdReadCache"/>: a watch-fed copy that is exact for this coordinator's own writes (and, on the
/// leader, for every write — only the leader can write), at most a short, configured bound behind etcd for other
/// coordinators' writes, and never consulted when that bound cannot be shown (then the read goes to etcd).
/// Same argument rules and answers as <see cref="ICoordinatorStore.GetAsync"/>/<see cref="ICoordinatorStore.ListAsync"/>.
/// </summary>
internal interface IDocumentReader
{
    Task<StoredDocument?> GetAsync(string key, CancellationToken cancellationToken);

    Task<DocumentPage> ListAsync(string prefix, string? startAfter, int limit, CancellationToken cancellationToken);
}
