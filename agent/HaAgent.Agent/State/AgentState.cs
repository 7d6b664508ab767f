namespace HaAgent.Agent.State;

/// <summary>What the agent keeps across restarts. Small, rewritten whole and atomically.</summary>
internal sealed record AgentState
{
    /// <summary>The highest fencing token any accepted order carried; orders below it are stale and refused.</summary>
    public long HighestToken { get; init; }

    /// <summary>How many times the agent has started on this host: the incarnation the coordinator sees (grows at every start).</summary>
    public long Incarnation { get; init; }

    /// <summary>Self-fences not yet acknowledged by a coordinator, oldest first.</summary>
    public IReadOnlyList<SelfFenceRecord> PendingSelfFences { get; init; } = [];
}
