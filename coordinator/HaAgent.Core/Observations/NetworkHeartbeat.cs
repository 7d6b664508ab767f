namespace HaAgent.Core.Observations;

/// <summary>A host's agent is reachable over the network. <paramref name="Incarnation"/> changes when the agent restarts.</summary>
public sealed record NetworkHeartbeat(DateTimeOffset At, string HostId, long Incarnation) : Observation(At);
