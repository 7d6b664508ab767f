namespace HaAgent.Benchmarks.Store;

public enum StoreKind
{
    Sqlite,
    Etcd,
}
