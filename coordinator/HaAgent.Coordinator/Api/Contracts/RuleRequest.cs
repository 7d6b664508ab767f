namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>
/// Body of rule create (POST, name required) and update (PUT). Kind: affinity, anti-affinity, host-pinning, spread;
/// strength: hard or soft; level (host, rack, power, zone) for anti-affinity and spread; hostIds for host-pinning.
/// </summary>
internal sealed record RuleRequest(
    string? Name,
    string? Kind,
    string? Strength,
    IReadOnlyList<string?>? VmIds,
    string? Level,
    IReadOnlyList<string?>? HostIds);
