namespace HaAgent.Core.Placement;

/// <summary>One VM placed: where, and why there rather than elsewhere.</summary>
/// <param name="Why">Why this host won ("most free memory among 12 hosts that satisfy rule web-apart").</param>
/// <param name="SoftRulesBroken">Soft rules the placement could not keep; empty when all were kept.</param>
/// <param name="RejectedHosts">Counts of hosts excluded per reason ("anti-affinity web-apart at Rack": 12), for the audit.</param>
public sealed record PlacementDecision(
    string VmId,
    string HostId,
    string Why,
    IReadOnlyList<string> SoftRulesBroken,
    IReadOnlyDictionary<string, int> RejectedHosts);
