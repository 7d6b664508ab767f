namespace HaAgent.EndToEnd.Tests;

/// <summary>
/// Lab tests run one after another: each brings up its own lab (Ceph + one libvirtd per host), which is CPU-heavy on
/// a 2-core CI machine; in parallel they would only stretch every bound.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabCollection
{
    public const string Name = "lab";
}
