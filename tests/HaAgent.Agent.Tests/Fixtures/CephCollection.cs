using HaAgent.Testing.Ceph;

namespace HaAgent.Agent.Tests.Fixtures;

[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephClusterFixture>
{
    public const string Name = "agent-ceph";
}
