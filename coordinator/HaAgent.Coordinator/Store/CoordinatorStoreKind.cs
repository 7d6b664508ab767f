namespace HaAgent.Coordinator.Store;

internal enum CoordinatorStoreKind
{
    /// <summary>One coordinator, one local file, nothing to set up.</summary>
    Sqlite,

    /// <summary>Several coordinators sharing an etcd cluster; one leads.</summary>
    Etcd,
}
