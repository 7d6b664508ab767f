using HaAgent.Agent.Configuration;
using HaAgent.NativeInterop.Rados;
using HaAgent.Testing;
using HaAgent.Testing.Ceph;

namespace HaAgent.Agent.Tests.Fixtures;

/// <summary>One throwaway Ceph cluster for the "agent-ceph" collection; missing Ceph skips, a failed start fails.</summary>
public sealed class CephFixture : IAsyncLifetime
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

    public RadosCluster Connect(CephIdentity identity) =>
        RadosCluster.Connect(new RadosConnectOptions { ClientName = identity.Name, ConfigFile = Cluster.ConfigPath, Keyring = identity.KeyringPath });

    /// <summary>The agent's Ceph section for host <paramref name="host"/> ("hostA"), fencing as client.fencer.</summary>
    internal CephAgentOptions AgentOptions(string host) => new()
    {
        ConfigFile = Cluster.ConfigPath,
        ClientName = Cluster.HostClient(host).Name,
        Keyring = Cluster.HostClient(host).KeyringPath,
        FencerClientName = Cluster.Fencer.Name,
        FencerKeyring = Cluster.Fencer.KeyringPath,
        HeartbeatPool = Cluster.Pool,
        OperationTimeout = TimeSpan.FromSeconds(5),
    };
}
