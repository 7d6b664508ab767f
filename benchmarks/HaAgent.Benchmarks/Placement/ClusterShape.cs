namespace HaAgent.Benchmarks.Placement;

/// <summary>The size of a generated cluster and its rule set. <see cref="ToString"/> names the benchmark column.</summary>
public sealed record ClusterShape(
    string Name,
    int Hosts,
    int Racks,
    int PowerFeeds,
    int Zones,
    int Vms,
    int AntiAffinityGroups,
    int AffinityPairs,
    int PinnedVms,
    int SpreadRules,
    int SpreadRuleSize)
{
    /// <summary>The target: 10 000 hosts in 250 racks, 4 power feeds, 3 zones, 200 000 VMs under rules.</summary>
    public static ClusterShape Target { get; } = new("10k hosts 200k VMs", 10_000, 250, 4, 3, 200_000, 2_000, 1_000, 2_000, 20, 500);

    /// <summary>The target size with ten times the rules: most VMs of the failed rack take the slower rule-checking path.</summary>
    public static ClusterShape DenseRules { get; } = new("10k hosts 200k VMs dense rules", 10_000, 250, 4, 3, 200_000, 20_000, 10_000, 10_000, 40, 5_000);

    /// <summary>A tenth of the target, to see how planning time scales.</summary>
    public static ClusterShape Tenth { get; } = new("1k hosts 20k VMs", 1_000, 25, 4, 3, 20_000, 200, 100, 200, 10, 200);

    public override string ToString() => Name;
}
