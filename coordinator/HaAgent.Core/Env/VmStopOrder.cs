namespace HaAgent.Core.Env;

/// <summary>An order to stop a VM on a host (a drain, or a leftover on a returning host).</summary>
public sealed record VmStopOrder(long Token, string VmId, string HostId, string Why);
