using System.Xml;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Checks a start order's domain XML against the order itself before libvirt sees it: the XML must name the same VM
/// (a missing UUID would make libvirt invent one, and the agent would then guard the wrong VM), carry an HA-managed
/// name (else a later self-fence would not stop it), and open exactly the ordered volumes — no more (an unfenced
/// disk), no fewer (a stale order).
/// </summary>
internal static class DomainXmlCheck
{
    /// <summary>libvirt itself caps domain XML well below this; anything bigger is not a domain definition.</summary>
    public const int MaxXmlLength = 1 << 20;

    /// <returns>Problems found, empty when the order is consistent; <paramref name="hypervisor"/> is the domain's type attribute.</returns>
    public static IReadOnlyList<string> Validate(StartCommand command, string managedPrefix, out string? hypervisor)
    {
        hypervisor = null;
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(command.CommandId))
        {
            problems.Add("no command id");
        }
        if (string.IsNullOrWhiteSpace(command.VmName) || command.VmUuid == Guid.Empty)
        {
            problems.Add("VM name and UUID are required");
            return problems;
        }
        if (!command.VmName.StartsWith(managedPrefix, StringComparison.Ordinal))
        {
            problems.Add($"'{command.VmName}' lacks the HA-managed prefix '{managedPrefix}': a self-fence would not stop it");
        }
        if (command.DomainXml.Length is 0 or > MaxXmlLength)
        {
            problems.Add($"domain XML length {command.DomainXml.Length} is outside 1..{MaxXmlLength}");
            return problems;
        }

        DomainXmlFacts facts;
        try
        {
            facts = DomainXmlFacts.Parse(command.DomainXml);
        }
        catch (XmlException e)
        {
            problems.Add($"domain XML does not parse: {e.Message}");
            return problems;
        }
        if (facts.RootName != "domain")
        {
            problems.Add($"root element is <{facts.RootName}>, not <domain>");
            return problems;
        }
        hypervisor = facts.Type;
        var name = facts.Name?.Trim();
        if (name != command.VmName)
        {
            problems.Add($"domain XML names '{name}', the order '{command.VmName}'");
        }
        var uuidText = facts.Uuid?.Trim();
        if (!Guid.TryParse(uuidText, out var uuid) || uuid != command.VmUuid)
        {
            problems.Add($"domain XML has UUID '{uuidText}', the order {command.VmUuid:D}");
        }

        var disks = facts.DiskSources;
        var ordered = command.Volumes.ToHashSet(StringComparer.Ordinal);
        var unordered = disks.Where(d => !ordered.Contains(d)).ToArray();
        var missing = ordered.Where(v => !disks.Contains(v)).ToArray();
        if (unordered.Length > 0)
        {
            problems.Add($"domain XML opens disks not in the order's volumes: {string.Join(", ", unordered)}");
        }
        if (missing.Length > 0)
        {
            problems.Add($"ordered volumes not among the domain's disks: {string.Join(", ", missing)}");
        }
        return problems;
    }
}
