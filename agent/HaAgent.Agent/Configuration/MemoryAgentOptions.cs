namespace HaAgent.Agent.Configuration;

/// <summary>
/// What the agent does about its own resident memory once start-up has settled (key <c>Memory</c> in agent.json).
/// </summary>
internal sealed class MemoryAgentOptions
{
    /// <summary>
    /// Once, <see cref="SettleTime"/> after start: compact the managed heap (its free regions go back to the kernel) and
    /// drop the agent binary's pages from memory so only what the agent keeps using comes back, page by page. Nothing is lost: a page used again is read back from the binary (a major fault, once).
    /// Shared libraries are left alone: their pages are shared with libvirtd/QEMU/Ceph and came back anyway (measured).
    /// </summary>
    public bool TrimAfterStartup { get; set; } = true;

    /// <summary>How long after start the trim runs (and the memory line is logged): after the connections and the first reports.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(60);
}
