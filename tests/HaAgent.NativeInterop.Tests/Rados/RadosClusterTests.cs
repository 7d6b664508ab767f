using System.Diagnostics;
using System.Text;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using Xunit.Abstractions;

namespace HaAgent.NativeInterop.Tests.Rados;

[Collection(CephCollection.Name)]
public sealed class RadosClusterTests(CephClusterFixture fixture, ITestOutputHelper output)
{
    [SkippableFact]
    public void SharedCluster_FastPaxos_StartsWithinSeconds()
    {
        var startup = fixture.Cluster.StartupTime;
        output.WriteLine($"shared cluster ready in {startup.TotalSeconds:F2} s");
        output.WriteLine(File.ReadAllText(Path.Combine(fixture.Cluster.LogDirectory, "startup.log")));
        Assert.True(startup < TimeSpan.FromSeconds(10), $"start took {startup}");
    }

    [SkippableFact]
    public void Connect_MonHostAndKeyWithoutConfFile_ReadsAndWrites()
    {
        var ceph = fixture.Cluster;
        var hostA = ceph.HostClient("hostA");
        using var cluster = RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = hostA.Name,
            MonHost = ceph.MonHost,
            Key = hostA.Key,
            Settings = new Dictionary<string, string> { ["admin_socket"] = "", ["log_file"] = "" },
        });
        using var pool = cluster.OpenPool(ceph.Pool);

        pool.WriteFull("no-conf", "hello"u8);
        pool.Write("no-conf", " world"u8, offset: 5);

        Assert.Equal("hello world", Encoding.UTF8.GetString(pool.ReadAll("no-conf")));
        var stat = pool.Stat("no-conf");
        Assert.Equal(11UL, stat.Size);
        Assert.InRange(stat.ModifiedTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Span<byte> tail = stackalloc byte[32];
        Assert.Equal(5, pool.Read("no-conf", tail, offset: 6));
        Assert.Equal("world", Encoding.UTF8.GetString(tail[..5]));
        Assert.True(cluster.InstanceId > 0);
        Assert.False(cluster.ClientAddress.IsWholeHost);
        Assert.Equal(ceph.Pool, pool.Name);
    }

    [SkippableFact]
    public void Remove_ThenStat_IsNotFound()
    {
        using var cluster = fixture.Connect(fixture.Cluster.HostClient("hostB"));
        using var pool = cluster.OpenPool(fixture.Cluster.Pool);
        pool.WriteFull("short-lived", "x"u8);

        pool.Remove("short-lived");

        var error = Assert.Throws<RadosException>(() => pool.Stat("short-lived"));
        Assert.True(error.IsNotFound, error.Message);
        Assert.Equal("rados_stat", error.Function);
        Assert.Equal("ENOENT", error.ErrnoName);
    }

    [SkippableFact]
    public void OpenPool_MissingPool_IsNotFound()
    {
        using var cluster = fixture.Connect(fixture.Cluster.HostClient("hostA"));

        var error = Assert.Throws<RadosException>(() => cluster.OpenPool("no-such-pool"));

        Assert.True(error.IsNotFound, error.Message);
        Assert.Contains("no-such-pool", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void OpenPool_EmptyOrNulName_IsArgumentException()
    {
        using var cluster = fixture.Connect(fixture.Cluster.HostClient("hostA"));
        using var pool = cluster.OpenPool(fixture.Cluster.Pool);

        Assert.Throws<ArgumentException>(() => cluster.OpenPool(""));
        Assert.Throws<ArgumentException>(() => cluster.OpenPool("ha\0x"));
        Assert.Throws<ArgumentException>(() => pool.WriteFull("", "x"u8));
        Assert.Throws<ArgumentException>(() => cluster.MonCommand(" "));
    }

    [SkippableFact]
    public void Connect_WrongKey_IsPermissionDeniedWithinTimeout()
    {
        var ceph = fixture.Cluster;
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<RadosException>(() => RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = ceph.HostClient("hostA").Name,
            MonHost = ceph.MonHost,
            Key = CephxKey.Generate(),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Settings = new Dictionary<string, string> { ["admin_socket"] = "", ["log_file"] = "" },
        }));

        output.WriteLine($"{error.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(error.IsPermissionDenied, error.Message);
        Assert.Equal("rados_connect", error.Function);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [SkippableFact]
    public void Connect_UnknownClient_IsPermissionDeniedWithinTimeout()
    {
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<RadosException>(() => RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = "client.nobody",
            MonHost = fixture.Cluster.MonHost,
            Key = CephxKey.Generate(),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Settings = new Dictionary<string, string> { ["admin_socket"] = "", ["log_file"] = "" },
        }));

        Assert.True(error.IsPermissionDenied, error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [SkippableFact]
    public void Connect_UnreachableMon_TimesOutWithinBound()
    {
        _ = fixture.Cluster; // skips when librados is missing
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<RadosException>(() => RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = "client.hostA",
            MonHost = $"[v2:127.0.0.1:{FreePort.Next()}]",
            Key = CephxKey.Generate(),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Settings = new Dictionary<string, string> { ["admin_socket"] = "", ["log_file"] = "" },
        }));

        output.WriteLine($"{error.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(error.IsTimeout, error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Connect_BadOptions_IsArgumentExceptionBeforeNativeCall()
    {
        Assert.Throws<ArgumentException>(() => RadosCluster.Connect(new RadosConnectOptions { ClientName = "fencer", MonHost = "x" }));
        Assert.Throws<ArgumentException>(() => RadosCluster.Connect(new RadosConnectOptions { ClientName = "client.a" }));
        Assert.Throws<ArgumentException>(() => RadosCluster.Connect(new RadosConnectOptions { ClientName = "client.a", MonHost = "x", Key = "not base64!" }));
        Assert.Throws<ArgumentException>(() => RadosCluster.Connect(new RadosConnectOptions { ClientName = "client.a", ConfigFile = "/nonexistent/ceph.conf" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = "client.a",
            MonHost = "x",
            ConnectTimeout = TimeSpan.Zero,
        }));
    }

    [SkippableFact]
    public void AnyCall_AfterDispose_IsObjectDisposed()
    {
        var cluster = fixture.Connect(fixture.Cluster.HostClient("hostA"));
        var pool = cluster.OpenPool(fixture.Cluster.Pool);
        var address = cluster.ClientAddress;
        pool.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.WriteFull("x", "x"u8));
        Assert.Throws<ObjectDisposedException>(() => pool.Stat("x"));
        Assert.Throws<ObjectDisposedException>(() => cluster.OpenPool(fixture.Cluster.Pool));
        Assert.Throws<ObjectDisposedException>(() => cluster.ClientAddress);
        Assert.Throws<ObjectDisposedException>(() => cluster.MonCommand("""{"prefix":"osd stat"}"""));
        Assert.Throws<ObjectDisposedException>(() => cluster.Blocklist.Add(address));
        Assert.Throws<ObjectDisposedException>(() => cluster.Blocklist.List());
        Assert.Throws<ObjectDisposedException>(cluster.WaitForLatestOsdMap);
        cluster.Dispose(); // twice is fine
    }

    [SkippableFact]
    public void Dispose_ClusterBeforePool_PoolKeepsWorkingUntilDisposed()
    {
        var cluster = fixture.Connect(fixture.Cluster.HostClient("hostA"));
        using var pool = cluster.OpenPool(fixture.Cluster.Pool);

        cluster.Dispose();

        // The ioctx holds a reference: rados_shutdown waits for it instead of pulling the cluster from under it.
        pool.WriteFull("outlives-cluster", "ok"u8);
        Assert.Equal("ok", Encoding.UTF8.GetString(pool.ReadAll("outlives-cluster")));
        Assert.Throws<ObjectDisposedException>(() => cluster.OpenPool(fixture.Cluster.Pool));
    }
}
