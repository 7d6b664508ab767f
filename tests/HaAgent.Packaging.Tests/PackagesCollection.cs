namespace HaAgent.Packaging.Tests;

/// <summary>One package build shared by every test class that needs it.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackagesFixture>
{
    public const string Name = "packages";
}
