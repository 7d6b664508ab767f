using HaAgent.Testing.Ceph;

namespace HaAgent.NativeInterop.Tests.Rados;

[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephClusterFixture>
{
    public const string Name = "ceph";
}
