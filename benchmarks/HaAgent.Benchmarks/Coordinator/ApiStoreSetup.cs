namespace HaAgent.Benchmarks.Coordinator;

/// <summary>What the benchmarked coordinator process reads from.</summary>
public enum ApiStoreSetup
{
    Sqlite,

    /// <summary>etcd with the API's watch-fed read cache (the default).</summary>
    Etcd,

    /// <summary>etcd with Store:Etcd:ReadCache:Enabled=false: every read is an etcd range (the "before" figure).</summary>
    EtcdNoCache,
}
