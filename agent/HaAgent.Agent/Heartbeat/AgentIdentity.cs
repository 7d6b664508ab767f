namespace HaAgent.Agent.Heartbeat;

/// <summary>Who this agent is: host id, and an incarnation that changes on every agent start (start time in Unix ms).</summary>
internal sealed record AgentIdentity(string HostId, long Incarnation)
{
    public static AgentIdentity StartingNow(string hostId, TimeProvider time) => new(hostId, time.GetUtcNow().ToUnixTimeMilliseconds());
}
