using HaAgent.Testing.Ceph;

namespace HaAgent.Coordinator.Tests.Engine;

[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephClusterFixture>
{
    public const string Name = "ceph";
}
