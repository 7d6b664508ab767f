namespace HaAgent.Core.Model;

/// <summary>Where a host sits: the labels that say which other hosts fail together with it.</summary>
/// <param name="Rack">Rack label; hosts in one rack share a top-of-rack switch.</param>
/// <param name="Power">Power feed label; hosts on one feed lose power together.</param>
/// <param name="Zone">Availability zone label.</param>
public sealed record FailureDomains(string Rack, string Power, string Zone)
{
    public static FailureDomains None { get; } = new("-", "-", "-");

    /// <summary>The label of <paramref name="level"/>; at <see cref="FailureDomainLevel.Host"/> it is the host itself.</summary>
    public string LabelAt(FailureDomainLevel level, string hostId) => level switch
    {
        FailureDomainLevel.Host => hostId,
        FailureDomainLevel.Rack => Rack,
        FailureDomainLevel.Power => Power,
        FailureDomainLevel.Zone => Zone,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "unknown failure-domain level"),
    };
}
