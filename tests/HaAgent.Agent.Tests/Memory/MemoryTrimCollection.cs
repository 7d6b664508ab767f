namespace HaAgent.Agent.Tests.Memory;

/// <summary>
/// The trim runs a blocking, compacting full GC of the whole test process: alone, so it cannot pause the timing tests
/// (watchdog pings, probe deadlines) that run in parallel collections.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryTrimCollection
{
    public const string Name = "memory trim";
}
