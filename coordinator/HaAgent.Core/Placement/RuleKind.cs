namespace HaAgent.Core.Placement;

/// <summary>The planner's view of a rule's type, so the hot loop switches on an enum rather than on types.</summary>
internal enum RuleKind
{
    Affinity,
    AntiAffinity,
    Pinning,
    Spread,
}
