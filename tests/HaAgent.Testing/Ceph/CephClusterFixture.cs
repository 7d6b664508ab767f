using HaAgent.NativeInterop.Rados;
using Xunit;

namespace HaAgent.Testing.Ceph;

/// <summary>
/// One throwaway cluster shared by the "ceph" collection (a start costs ~1.5 s). When Ceph is not installed every test
/// skips with the reason; when it is installed but does not start, every test fails with the start error.
/// </summary>
public sealed class CephClusterFixture : IAsyncLifetime
{
    private CephCluster? _cluster;
    private string? _skipReason;
    private Exception? _startFailure;

    public CephCluster Cluster
    {
        get
        {
            if (_skipReason is not null)
            {
                throw new SkipException(_skipReason);
            }
            if (_startFailure is not null)
            {
                throw new InvalidOperationException("the shared Ceph cluster did not start", _startFailure);
            }
            return _cluster!;
        }
    }

    public async Task InitializeAsync()
    {
        try
        {
            Requires.Tools(CephCluster.Packages, CephCluster.Commands);
            Requires.Library("librados.so.2", "librados2");
        }
        catch (SkipException ex)
        {
            _skipReason = ex.Message;
            return;
        }
        try
        {
            _cluster = await CephCluster.StartAsync(new CephClusterOptions { HostClients = ["hostA", "hostB"] });
        }
        catch (InvalidOperationException ex)
        {
            _startFailure = ex;
        }
    }

    public Task DisposeAsync()
    {
        _cluster?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Connects as <paramref name="identity"/> through the fixture's ceph.conf (its logs and sockets stay in the temp dir).</summary>
    public RadosCluster Connect(CephIdentity identity) =>
        RadosCluster.Connect(new RadosConnectOptions
        {
            ClientName = identity.Name,
            ConfigFile = Cluster.ConfigPath,
            Keyring = identity.KeyringPath,
        });
}
