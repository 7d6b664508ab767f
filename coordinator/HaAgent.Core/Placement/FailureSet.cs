using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>What fails in a dry run: listed hosts, or every host whose label at <see cref="Level"/> is <see cref="Label"/>.</summary>
public sealed record FailureSet
{
    private FailureSet(IReadOnlyList<string> hostIds, FailureDomainLevel? level, string? label)
    {
        HostIds = hostIds;
        Level = level;
        Label = label;
    }

    public IReadOnlyList<string> HostIds { get; }

    public FailureDomainLevel? Level { get; }

    public string? Label { get; }

    /// <summary>The named hosts fail.</summary>
    public static FailureSet OfHosts(params IReadOnlyList<string> hostIds)
    {
        ArgumentNullException.ThrowIfNull(hostIds);
        return new FailureSet(hostIds, null, null);
    }

    /// <summary>Every host of one failure domain fails ("rack r3", "power feed p2", "zone z1").</summary>
    public static FailureSet OfDomain(FailureDomainLevel level, string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return new FailureSet([], level, label);
    }

    public bool Contains(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Level is { } level)
        {
            return string.Equals(host.Domains.LabelAt(level, host.Id), Label, StringComparison.Ordinal);
        }
        foreach (var id in HostIds)
        {
            if (string.Equals(id, host.Id, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>How the failure is named in explanations: "rack r3", "hosts h1, h2".</summary>
    public override string ToString() => Level is { } level
        ? $"{level.ToString().ToLowerInvariant()} {Label}"
        : $"hosts {string.Join(", ", HostIds)}";
}
