using System.Net;
using System.Text;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing.Ceph;

namespace HaAgent.NativeInterop.Tests.Rados;

[Collection(CephCollection.Name)]
public sealed class RadosBlocklistTests(CephClusterFixture fixture)
{
    private static readonly TimeSpan FenceExpiry = TimeSpan.FromMinutes(10);

    [SkippableFact]
    public void Add_ThenBarrier_FencesExactClientAndLastAcknowledgedWriteSurvives()
    {
        var ceph = fixture.Cluster;
        var objectName = $"fence-{Guid.NewGuid():N}";
        using var hostA = fixture.Connect(ceph.HostClient("hostA"));
        using var poolA = hostA.OpenPool(ceph.Pool);
        poolA.WriteFull(objectName, "v1"u8);
        poolA.WriteFull(objectName, "v2-last-acknowledged"u8);

        using var fencer = fixture.Connect(ceph.Fencer);
        var before = fencer.GetOsdMapEpoch();
        var victim = hostA.ClientAddress;
        var fence = fencer.Blocklist.Add(victim, FenceExpiry);
        try
        {
            Assert.Equal(victim, fence.Address);
            Assert.True(fence.OsdMapEpoch > before, $"epoch {fence.OsdMapEpoch} should be newer than {before}");
            Assert.True(fence.Until > DateTimeOffset.UtcNow.AddMinutes(9));
            Assert.True(fencer.GetOsdMapEpoch() >= fence.OsdMapEpoch);

            // The confirmation alone leaves OSDs a moment to learn the epoch (RadosFenceBarrierTests); the barrier closes it.
            using var fencerPool = fencer.OpenPool(ceph.Pool);
            fencerPool.WaitForOsdMapOnAllPlacementGroups();

            var refused = Assert.Throws<RadosException>(() => poolA.WriteFull(objectName, "v3-after-fence"u8));
            Assert.True(refused.IsBlocklisted, refused.Message);
            Assert.Equal(Errno.ESHUTDOWN, refused.Errno);
            Assert.Equal("rados_write_full", refused.Function);
            Assert.True(Assert.Throws<RadosException>(() => poolA.WriteFull(objectName, "refused-again"u8)).IsBlocklisted);

            using var hostB = fixture.Connect(ceph.HostClient("hostB"));
            using var poolB = hostB.OpenPool(ceph.Pool);
            Assert.Equal("v2-last-acknowledged", Encoding.UTF8.GetString(poolB.ReadAll(objectName)));

            var entry = Assert.Single(fencer.Blocklist.List(), e => e.Address == victim);
            Assert.False(entry.IsRange);
            Assert.Equal(victim.ToString(), entry.Target);
        }
        finally
        {
            fencer.Blocklist.Remove(victim);
        }

        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Address == victim);
        using var newHostA = fixture.Connect(ceph.HostClient("hostA"));
        Assert.NotEqual(victim, newHostA.ClientAddress);
        using var newPoolA = newHostA.OpenPool(ceph.Pool);
        newPoolA.WriteFull(objectName, "v4-new-handle"u8);
        Assert.Equal("v4-new-handle", Encoding.UTF8.GetString(newPoolA.ReadAll(objectName)));
    }

    [SkippableFact]
    public void Add_OtherClientsOnSameHost_KeepWriting()
    {
        var ceph = fixture.Cluster;
        using var victim = fixture.Connect(ceph.HostClient("hostA"));
        using var neighbour = fixture.Connect(ceph.HostClient("hostA"));
        using var neighbourPool = neighbour.OpenPool(ceph.Pool);
        using var victimPool = victim.OpenPool(ceph.Pool);
        using var fencer = fixture.Connect(ceph.Fencer);

        using var fencerPool = fencer.OpenPool(ceph.Pool);
        fencer.Blocklist.Add(victim.ClientAddress, FenceExpiry);
        try
        {
            fencerPool.WaitForOsdMapOnAllPlacementGroups();
            Assert.True(Assert.Throws<RadosException>(() => victimPool.WriteFull("neighbour-victim", "x"u8)).IsBlocklisted);
            neighbourPool.WriteFull("neighbour", "still writing"u8);
            Assert.Equal(victim.ClientAddress.IPAddress, neighbour.ClientAddress.IPAddress);
        }
        finally
        {
            fencer.Blocklist.Remove(victim.ClientAddress);
        }
    }

    [SkippableFact]
    public void Remove_OldHandle_WritesAgain()
    {
        // Why a fence must outlive its client: the blocklist is not a kill. Once the entry goes, the very same handle
        // that was refused writes again. This pins that Ceph behaviour so a change in it is noticed.
        var ceph = fixture.Cluster;
        using var hostA = fixture.Connect(ceph.HostClient("hostA"));
        using var pool = hostA.OpenPool(ceph.Pool);
        using var fencer = fixture.Connect(ceph.Fencer);
        using var fencerPool = fencer.OpenPool(ceph.Pool);
        fencer.Blocklist.Add(hostA.ClientAddress, FenceExpiry);
        fencerPool.WaitForOsdMapOnAllPlacementGroups();
        Assert.True(Assert.Throws<RadosException>(() => pool.WriteFull("zombie", "x"u8)).IsBlocklisted);

        fencer.Blocklist.Remove(hostA.ClientAddress);
        fencer.WaitForLatestOsdMap();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                pool.WriteFull("zombie", "written after unfence"u8);
                break;
            }
            catch (RadosException ex) when (ex.IsBlocklisted && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // the OSD learns the new epoch from the next map it is sent
            }
        }
        Assert.Equal("written after unfence", Encoding.UTF8.GetString(pool.ReadAll("zombie")));
    }

    [SkippableFact]
    public void Add_WholeHostAddressWithoutScope_IsRefusedBeforeAnyCommand()
    {
        using var fencer = fixture.Connect(fixture.Cluster.Fencer);
        var epoch = fencer.GetOsdMapEpoch();

        var error = Assert.Throws<ArgumentException>(() => fencer.Blocklist.Add(RadosClientAddress.Parse("127.0.0.1:0/0")));
        Assert.Contains("WholeHost", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => fencer.Blocklist.Add(fencer.ClientAddress.WholeHost, FenceExpiry));

        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Address is { IsWholeHost: true });
        Assert.Equal(epoch, fencer.GetOsdMapEpoch());
    }

    [SkippableFact]
    public void Add_WholeHostScope_BlocklistsNonceZeroEntryForThatIp()
    {
        using var fencer = fixture.Connect(fixture.Cluster.Fencer);
        // Not our loopback IP: a whole-host entry for 127.0.0.1 would fence this test's own clients and the OSD's peers.
        var otherHost = new RadosClientAddress(IPAddress.Parse("127.0.0.99"), 0, 4242);

        var fence = fencer.Blocklist.Add(otherHost, FenceExpiry, BlocklistScope.WholeHost);
        try
        {
            Assert.Equal("127.0.0.99:0/0", fence.Address.ToString());
            Assert.Contains(fencer.Blocklist.List(), e => e.Address == otherHost.WholeHost);
        }
        finally
        {
            fencer.Blocklist.Remove(fence.Address);
        }
        Assert.DoesNotContain(fencer.Blocklist.List(), e => e.Address == otherHost.WholeHost);
    }

    [SkippableFact]
    public void List_WithRangeEntry_ParsesBothArrays()
    {
        var ceph = fixture.Cluster;
        using var admin = fixture.Connect(ceph.Admin);
        using var fencer = fixture.Connect(ceph.Fencer);
        var exact = new RadosClientAddress(IPAddress.Parse("127.0.0.98"), 0, 77);
        fencer.Blocklist.Add(exact, FenceExpiry);
        admin.MonCommand("""{"prefix":"osd blocklist","range":"range","blocklistop":"add","addr":"127.98.0.0/24","expire":600.0}""");
        try
        {
            var entries = fencer.Blocklist.List();
            Assert.Contains(entries, e => e.Address == exact && !e.IsRange);
            var range = Assert.Single(entries, e => e.IsRange);
            Assert.Null(range.Address);
            Assert.StartsWith("127.98.0.0", range.Target, StringComparison.Ordinal);
            Assert.True(range.Until > DateTimeOffset.UtcNow);
        }
        finally
        {
            admin.MonCommand("""{"prefix":"osd blocklist","range":"range","blocklistop":"rm","addr":"127.98.0.0/24"}""");
            fencer.Blocklist.Remove(exact);
        }
    }

    [SkippableFact]
    public void MonCommand_FencerCreatingPool_IsPermissionDenied()
    {
        using var fencer = fixture.Connect(fixture.Cluster.Fencer);

        var error = Assert.Throws<RadosException>(
            () => fencer.MonCommand("""{"prefix":"osd pool create","pool":"fencer-must-not","pg_num":8}"""));

        Assert.True(error.IsPermissionDenied, error.Message);
        Assert.Equal(Errno.EACCES, error.Errno);
    }

    [SkippableFact]
    public void WriteFull_FencerWithoutOsdCaps_IsPermissionDenied()
    {
        using var fencer = fixture.Connect(fixture.Cluster.Fencer);
        using var pool = fencer.OpenPool(fixture.Cluster.Pool);

        var error = Assert.Throws<RadosException>(() => pool.WriteFull("fencer-write", "x"u8));

        Assert.True(error.IsPermissionDenied, error.Message);
    }
}
