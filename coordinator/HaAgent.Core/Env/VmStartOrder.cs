namespace HaAgent.Core.Env;

/// <summary>An order to start a VM on a host; <paramref name="Why"/> is the planner's explanation.</summary>
public sealed record VmStartOrder(long Token, string VmId, string HostId, string Why);
