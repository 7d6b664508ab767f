using HaAgent.Coordinator.Store.Etcd;
using HaAgent.Coordinator.Store.Sqlite;

namespace HaAgent.Coordinator.Store;

/// <summary>The "Store" configuration section: which store, and its settings.</summary>
internal sealed class CoordinatorStoreOptions
{
    public const string Section = "Store";

    /// <summary>Store:Kind — Sqlite (default) or Etcd.</summary>
    public CoordinatorStoreKind Kind { get; set; } = CoordinatorStoreKind.Sqlite;

    /// <summary>Store:Sqlite:* — used when Kind is Sqlite.</summary>
    public SqliteStoreOptions Sqlite { get; set; } = new();

    /// <summary>Store:Etcd:* — used when Kind is Etcd.</summary>
    public EtcdStoreOptions Etcd { get; set; } = new();

    /// <summary>Null when valid, else a message naming the bad key.</summary>
    public string? Validate() => Kind switch
    {
        CoordinatorStoreKind.Sqlite when string.IsNullOrWhiteSpace(Sqlite.Path) => "Store:Sqlite:Path must name the database file",
        CoordinatorStoreKind.Sqlite when string.IsNullOrWhiteSpace(Sqlite.InstanceId) => "Store:Sqlite:InstanceId must not be empty",
        CoordinatorStoreKind.Sqlite when Sqlite.LeaseTtl < TimeSpan.FromMilliseconds(300) => "Store:Sqlite:LeaseTtl must be at least 00:00:00.3",
        CoordinatorStoreKind.Sqlite when Sqlite.ExpiryMargin < TimeSpan.Zero || Sqlite.ExpiryMargin >= Sqlite.LeaseTtl / 3 =>
            "Store:Sqlite:ExpiryMargin must be between 0 and a third of Store:Sqlite:LeaseTtl",
        CoordinatorStoreKind.Etcd when string.IsNullOrWhiteSpace(Etcd.Endpoints) => "Store:Etcd:Endpoints must list at least one etcd URL",
        CoordinatorStoreKind.Etcd when string.IsNullOrWhiteSpace(Etcd.InstanceId) => "Store:Etcd:InstanceId must not be empty",
        CoordinatorStoreKind.Etcd when Etcd.LeaseTtl < TimeSpan.FromSeconds(1) || Etcd.LeaseTtl.Ticks % TimeSpan.TicksPerSecond != 0 =>
            "Store:Etcd:LeaseTtl must be a whole number of seconds, at least 1",
        CoordinatorStoreKind.Etcd when string.IsNullOrEmpty(Etcd.KeyPrefix) || !Etcd.KeyPrefix.EndsWith('/') => "Store:Etcd:KeyPrefix must end with '/'",
        CoordinatorStoreKind.Etcd when ReadCacheProblem(Etcd.ReadCache) is { } problem => problem,
        CoordinatorStoreKind.Sqlite or CoordinatorStoreKind.Etcd => null,
        _ => $"Store:Kind must be Sqlite or Etcd, not {Kind}",
    };

    private static string? ReadCacheProblem(EtcdReadCacheOptions cache)
    {
        try
        {
            cache.ParsePrefixes();
        }
        catch (ArgumentException)
        {
            return "Store:Etcd:ReadCache:Prefixes must be comma-separated document key prefixes, none empty or a prefix of another";
        }
        return cache switch
        {
            { ProgressInterval.Ticks: <= 0 } => "Store:Etcd:ReadCache:ProgressInterval must be positive",
            _ when cache.StaleAfter <= cache.ProgressInterval => "Store:Etcd:ReadCache:StaleAfter must be longer than Store:Etcd:ReadCache:ProgressInterval",
            _ when cache.WatchdogTimeout < cache.StaleAfter => "Store:Etcd:ReadCache:WatchdogTimeout must be at least Store:Etcd:ReadCache:StaleAfter",
            { CatchUpWait.Ticks: < 0 } => "Store:Etcd:ReadCache:CatchUpWait must not be negative",
            { LoadPageSize: < 1 } => "Store:Etcd:ReadCache:LoadPageSize must be at least 1",
            { LoadCallTimeout.Ticks: <= 0 } => "Store:Etcd:ReadCache:LoadCallTimeout must be positive",
            { MaxBytes: < 1 } => "Store:Etcd:ReadCache:MaxBytes must be positive",
            { RetryDelay.Ticks: < 0 } => "Store:Etcd:ReadCache:RetryDelay must not be negative",
            _ => null,
        };
    }
}
