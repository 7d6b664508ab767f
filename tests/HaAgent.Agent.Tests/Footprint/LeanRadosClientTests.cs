using System.Text;
using HaAgent.Agent.Storage;
using HaAgent.Agent.Tests.Fixtures;
using HaAgent.Testing.Ceph;

namespace HaAgent.Agent.Tests.Footprint;

/// <summary>
/// The agent's librados client is configured lean (one messenger worker, no admin socket, no gathered debug log) and
/// connects on a thread that exits: every setting must be one librados accepts (an unknown option fails the connect,
/// so a Ceph upgrade that renames one shows up here), and the client must still do its job.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class LeanRadosClientTests(CephClusterFixture fixture)
{
    [SkippableFact]
    public void HostClient_LeanSettings_WritesWithOneMessengerWorkerAndNoAdminSocket()
    {
        var ceph = fixture.Cluster;
        var workersBefore = Threads("msgr-worker-");
        var socketsBefore = AdminSockets(ceph);

        using var connections = new CephConnections(fixture.AgentOptions("hostA"));
        var cluster = connections.Host();
        using var pool = cluster.OpenPool(ceph.Pool);
        var name = $"footprint-{Guid.NewGuid():N}";
        pool.WriteFull(name, Encoding.ASCII.GetBytes("lean"));

        Assert.Equal("lean", Encoding.ASCII.GetString(pool.ReadAll(name)));
        Assert.Equal(1, Threads("msgr-worker-") - workersBefore); // librados' default is 3
        Assert.Equal(socketsBefore, AdminSockets(ceph)); // the fixture's ceph.conf asks every client for one
        Assert.Equal(0, Threads("rados-connect")); // the connecting thread is gone, its stack released
        pool.Remove(name);
    }

    [Fact]
    public void LeanClient_EveryDebugSubsystem_GathersNothing()
    {
        // "0/5" would still format level ≤ 5 messages into the in-memory ring: both numbers must be 0.
        Assert.All(CephConnections.LeanClient.Where(s => s.Key.StartsWith("debug_", StringComparison.Ordinal)), s => Assert.Equal("0/0", s.Value));
    }

    private static int Threads(string prefix) =>
        Directory.EnumerateDirectories("/proc/self/task").Count(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).StartsWith(prefix, StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // the thread exited while we looked
            }
        });

    private static string[] AdminSockets(CephCluster ceph)
    {
        var run = Path.Combine(ceph.Directory, "run");
        return Directory.Exists(run) ? [.. Directory.EnumerateFiles(run, $"*.{Environment.ProcessId}.*.asok").Order(StringComparer.Ordinal)] : [];
    }
}
