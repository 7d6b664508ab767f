using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>
/// The texts that key <see cref="PlacementDecision.RejectedHosts"/> and <see cref="UnplaceableVm.RejectedHosts"/>.
/// They are stable: audits and tests group by them.
/// </summary>
internal static class RejectReasons
{
    public const string NoMemory = "no capacity: memory";
    public const string NoCpu = "no capacity: cpu";

    public static string NotEligible(string? why) => $"not eligible: {(string.IsNullOrEmpty(why) ? "unspecified" : why)}";

    public static string StartLimit(int maxStartsPerHost) => $"start limit reached: {maxStartsPerHost} per host";

    public static string ForRule(PlacementRule rule) => rule switch
    {
        AntiAffinityRule aa => $"{Strength(aa)} anti-affinity {aa.Name} at {aa.Level}",
        AffinityRule a => $"{Strength(a)} affinity {a.Name}: co-members run elsewhere",
        HostPinningRule p => $"pinned elsewhere: {p.Name}",
        SpreadRule s => $"{Strength(s)} spread {s.Name} at {s.Level}: domain has more members",
        _ => $"rule {rule.Name}",
    };

    private static string Strength(PlacementRule rule) => rule.Strength == RuleStrength.Hard ? "hard" : "soft";
}
