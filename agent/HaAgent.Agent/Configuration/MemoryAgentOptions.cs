namespace HaAgent.Agent.Configuration;

/// <summary>
/// What the agent does about its own resident memory once start-up has settled (key <c>Memory</c> in agent.json).
/// </summary>
internal sealed class MemoryAgentOptions
{
    /// <summary>
    /// Once, <see cref="SettleTime"/> after start: compact the managed heap, give free malloc memory back, and ask the
    /// kernel to reclaim the file pages (binary, libraries) only start-up touched. Nothing is lost: a page used again is
    /// read back from its file (milliseconds, once).
    /// </summary>
    public bool TrimAfterStartup { get; set; } = true;

    /// <summary>How long after start the trim runs (and the memory line is logged): after the connections and the first reports.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(60);

    // Experiment switches (A/B): which parts of the trim run.
    public bool CompactManagedHeap { get; set; } = true;

    public bool TrimMalloc { get; set; } = true;

    public bool PageOutBinary { get; set; } = true;

    public bool PageOutLibraries { get; set; } = true;
}
