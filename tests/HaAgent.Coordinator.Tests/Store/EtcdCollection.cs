namespace HaAgent.Coordinator.Tests.Store;

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdServerFixture>
{
    public const string Name = "etcd";
}
