using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Tests.Store;

public sealed class CoordinatorStoreOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValidAndPickSqlite()
    {
        var options = new CoordinatorStoreOptions();

        Assert.Null(options.Validate());
        Assert.Equal(CoordinatorStoreKind.Sqlite, options.Kind);
    }

    [Theory]
    [InlineData("prefix-without-slash", "Store:Etcd:KeyPrefix")]
    [InlineData("", "Store:Etcd:KeyPrefix")]
    public void Validate_EtcdBadPrefix_NamesTheKey(string prefix, string key)
    {
        var options = new CoordinatorStoreOptions { Kind = CoordinatorStoreKind.Etcd };
        options.Etcd.KeyPrefix = prefix;

        Assert.Contains(key, options.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EtcdFractionalLease_NamesTheKey()
    {
        var options = new CoordinatorStoreOptions { Kind = CoordinatorStoreKind.Etcd };
        options.Etcd.LeaseTtl = TimeSpan.FromMilliseconds(1500);

        Assert.Contains("Store:Etcd:LeaseTtl", options.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SqliteMarginNotUnderAThirdOfTheLease_NamesTheKey()
    {
        var options = new CoordinatorStoreOptions();
        options.Sqlite.LeaseTtl = TimeSpan.FromSeconds(3);
        options.Sqlite.ExpiryMargin = TimeSpan.FromSeconds(1);

        Assert.Contains("Store:Sqlite:ExpiryMargin", options.Validate(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vms/,vms/x", "Store:Etcd:ReadCache:Prefixes")]
    [InlineData("vms/,bad prefix", "Store:Etcd:ReadCache:Prefixes")]
    [InlineData("stale", "Store:Etcd:ReadCache:StaleAfter")]
    [InlineData("page", "Store:Etcd:ReadCache:LoadPageSize")]
    public void Validate_EtcdBadReadCache_NamesTheKey(string what, string key)
    {
        var options = new CoordinatorStoreOptions { Kind = CoordinatorStoreKind.Etcd };
        Assert.Null(options.Validate());
        switch (what)
        {
            case "stale":
                options.Etcd.ReadCache.StaleAfter = options.Etcd.ReadCache.ProgressInterval;
                break;
            case "page":
                options.Etcd.ReadCache.LoadPageSize = 0;
                break;
            default:
                options.Etcd.ReadCache.Prefixes = what;
                break;
        }

        Assert.Contains(key, options.Validate(), StringComparison.Ordinal);
    }
}
