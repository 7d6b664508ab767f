using HaAgent.NativeInterop.Rados;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using Xunit.Abstractions;

namespace HaAgent.NativeInterop.Tests.Rados;

/// <summary>
/// The gap between "the fencer holds an osdmap epoch with the entry" and "the OSDs enforce it", made deterministic:
/// the OSD receives every message from the mon (its osdmaps included) up to 0.5 s late.
/// </summary>
public sealed class RadosFenceBarrierTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task WaitForOsdMapOnAllPlacementGroups_OsdLearnsMapsLate_FencedClientRefusedRightAfter()
    {
        Requires.Tools(CephCluster.Packages, CephCluster.Commands);
        Requires.Library("librados.so.2", "librados2");
        await using var ceph = await CephCluster.StartAsync(new CephClusterOptions
        {
            HostClients = ["hostA"],
            OsdSettings = new Dictionary<string, string>
            {
                ["ms_inject_delay_type"] = "mon",
                ["ms_inject_delay_max"] = "0.5",
                ["ms_inject_delay_probability"] = "1",
            },
        });
        using var fencer = Connect(ceph, ceph.Fencer);
        using var fencerPool = fencer.OpenPool(ceph.Pool);

        var acknowledgedWithoutBarrier = 0;
        for (var i = 0; i < 3; i++)
        {
            using var victim = Connect(ceph, ceph.HostClient("hostA"));
            using var victimPool = victim.OpenPool(ceph.Pool);
            victimPool.WriteFull("vm-disk", "before"u8);
            fencer.Blocklist.Add(victim.ClientAddress, TimeSpan.FromMinutes(10));
            acknowledgedWithoutBarrier += WritesUntilRefused(victimPool);
            fencer.Blocklist.Remove(victim.ClientAddress);
        }
        output.WriteLine($"without the barrier: {acknowledgedWithoutBarrier} writes acknowledged after 3 confirmed fences");
        Assert.True(acknowledgedWithoutBarrier > 0, "the OSD's late map should have let the fenced client write");

        for (var i = 0; i < 5; i++)
        {
            using var victim = Connect(ceph, ceph.HostClient("hostA"));
            using var victimPool = victim.OpenPool(ceph.Pool);
            victimPool.WriteFull("vm-disk", "before"u8);
            fencer.Blocklist.Add(victim.ClientAddress, TimeSpan.FromMinutes(10));

            Assert.Equal(8, fencerPool.WaitForOsdMapOnAllPlacementGroups());

            var refused = Assert.Throws<RadosException>(() => victimPool.WriteFull("vm-disk", "after the barrier"u8));
            Assert.True(refused.IsBlocklisted, refused.Message);
            fencer.Blocklist.Remove(victim.ClientAddress);
        }
    }

    private static int WritesUntilRefused(RadosPool pool)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        for (var acknowledged = 0; ; acknowledged++)
        {
            try
            {
                pool.WriteFull("vm-disk", "after the fence"u8);
            }
            catch (RadosException ex) when (ex.IsBlocklisted)
            {
                return acknowledged;
            }
            Assert.True(DateTime.UtcNow < deadline, "still writing 5 s after the fence");
        }
    }

    private static RadosCluster Connect(CephCluster ceph, CephIdentity identity) =>
        RadosCluster.Connect(new RadosConnectOptions { ClientName = identity.Name, ConfigFile = ceph.ConfigPath, Keyring = identity.KeyringPath });
}
