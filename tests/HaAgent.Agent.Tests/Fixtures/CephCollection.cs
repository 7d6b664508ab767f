namespace HaAgent.Agent.Tests.Fixtures;

[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephFixture>
{
    public const string Name = "agent-ceph";
}
