using HaAgent.Agent.Configuration;
using HaAgent.Testing.Ceph;

namespace HaAgent.Agent.Tests.Fixtures;

internal static class CephClusterFixtureExtensions
{
    /// <summary>The agent's Ceph section for host <paramref name="host"/> ("hostA"), fencing as client.fencer.</summary>
    public static CephAgentOptions AgentOptions(this CephClusterFixture fixture, string host) => new()
    {
        ConfigFile = fixture.Cluster.ConfigPath,
        ClientName = fixture.Cluster.HostClient(host).Name,
        Keyring = fixture.Cluster.HostClient(host).KeyringPath,
        FencerClientName = fixture.Cluster.Fencer.Name,
        FencerKeyring = fixture.Cluster.Fencer.KeyringPath,
        HeartbeatPool = fixture.Cluster.Pool,
        OperationTimeout = TimeSpan.FromSeconds(5),
    };
}
