using System.Diagnostics;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;
using Xunit.Abstractions;

namespace HaAgent.NativeInterop.Tests.Rados;

/// <summary>The fixture's own promises: fast start, teardown by PID, a failed start leaves nothing running.</summary>
public sealed class CephClusterFixtureTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task StartAsync_DefaultPaxos_IsWritableQuicklyAndDisposeKillsDaemons()
    {
        Requires.Tools(CephCluster.Packages, CephCluster.Commands);
        IReadOnlyList<int> pids;
        string directory;
        await using (var cluster = await CephCluster.StartAsync(new CephClusterOptions { FastPaxos = false }))
        {
            pids = cluster.DaemonPids;
            directory = cluster.Directory;
            Assert.Equal(2, pids.Count);
            Assert.All(pids, pid => Assert.True(ProcessKiller.IsAlive(pid)));
            output.WriteLine($"default-paxos cluster ready in {cluster.StartupTime.TotalSeconds:F2} s");
            Assert.True(cluster.StartupTime < TimeSpan.FromSeconds(20), $"start took {cluster.StartupTime}");
        }

        Assert.All(pids, pid => Assert.False(ProcessKiller.IsAlive(pid)));
        Assert.False(Directory.Exists(directory));
    }

    [SkippableFact]
    public async Task StartAsync_WhenAStepFails_KillsWhatItStartedAndNamesTheLogs()
    {
        Requires.Tools(CephCluster.Packages, CephCluster.Commands);

        // The mon refuses an empty pool name with EINVAL, after both daemons are up.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => CephCluster.StartAsync(new CephClusterOptions { Pool = "" }));

        var logs = error.Message[(error.Message.LastIndexOf("logs in ", StringComparison.Ordinal) + "logs in ".Length)..];
        Assert.True(Directory.Exists(logs), error.Message);
        var clusterDirectory = Path.GetDirectoryName(logs)!;
        Assert.Empty(ProcessesMentioning(clusterDirectory));
        Directory.Delete(clusterDirectory, recursive: true);
    }

    [SkippableFact]
    public async Task Operations_DaemonsKilledAfterConnect_FailWithinTimeouts()
    {
        // A fence path must never hang: a dead OSD or mon costs the configured timeout, then a typed error.
        Requires.Tools(CephCluster.Packages, CephCluster.Commands);
        Requires.Library("librados.so.2", "librados2");
        await using var ceph = await CephCluster.StartAsync(new CephClusterOptions { HostClients = ["hostA"] });
        var timeouts = new RadosConnectOptions
        {
            ClientName = "client.fencer",
            ConfigFile = ceph.ConfigPath,
            MonOperationTimeout = TimeSpan.FromSeconds(2),
            OsdOperationTimeout = TimeSpan.FromSeconds(2),
        };
        using var fencer = RadosCluster.Connect(timeouts);
        using var hostA = RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = "client.hostA",
            ConfigFile = ceph.ConfigPath,
            Keyring = ceph.HostClient("hostA").KeyringPath,
            MonOperationTimeout = TimeSpan.FromSeconds(2),
            OsdOperationTimeout = TimeSpan.FromSeconds(2),
        });
        using var pool = hostA.OpenPool(ceph.Pool);
        pool.WriteFull("before", "ok"u8);

        ProcessKiller.KillAndWait(ceph.DaemonPids[1]); // osd.0
        var stopwatch = Stopwatch.StartNew();
        var write = Assert.Throws<RadosException>(() => pool.WriteFull("after-osd-death", "x"u8));
        output.WriteLine($"{write.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(write.IsTimeout, write.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"took {stopwatch.Elapsed}");

        ProcessKiller.KillAndWait(ceph.DaemonPids[0]); // mon.a
        stopwatch.Restart();
        var fence = Assert.Throws<RadosException>(() => fencer.Blocklist.Add(hostA.ClientAddress, TimeSpan.FromMinutes(10)));
        output.WriteLine($"{fence.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(fence.IsTimeout, fence.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"took {stopwatch.Elapsed}");
    }

    private static List<int> ProcessesMentioning(string text)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || !ProcessKiller.IsAlive(pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(entry, "cmdline")).Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
