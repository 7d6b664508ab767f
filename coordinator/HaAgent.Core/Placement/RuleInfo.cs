using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>A rule that names at least one VM being placed, resolved against the host index of one plan.</summary>
internal sealed class RuleInfo
{
    public RuleInfo(PlacementRule rule, RuleKind kind, FailureDomainLevel level)
    {
        Rule = rule;
        Kind = kind;
        Level = level;
        Hard = rule.Strength == RuleStrength.Hard;
        RejectReason = RejectReasons.ForRule(rule);
    }

    public PlacementRule Rule { get; }

    public RuleKind Kind { get; }

    /// <summary>Anti-affinity and spread level; Host for the other kinds.</summary>
    public FailureDomainLevel Level { get; }

    public bool Hard { get; }

    public string RejectReason { get; }

    /// <summary>Pinning: the allowed host indexes, sorted, without duplicates or unknown hosts.</summary>
    public int[] PinnedHosts { get; set; } = [];

    /// <summary>Spread: members per domain at <see cref="Level"/>, running plus placed by this plan.</summary>
    public int[] SpreadCounts { get; set; } = [];
}
