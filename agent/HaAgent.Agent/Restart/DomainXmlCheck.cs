using System.Xml;
using System.Xml.Linq;

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

        XElement root;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(command.DomainXml), settings);
            root = XDocument.Load(reader).Root!;
        }
        catch (XmlException e)
        {
            problems.Add($"domain XML does not parse: {e.Message}");
            return problems;
        }
        if (root.Name.LocalName != "domain")
        {
            problems.Add($"root element is <{root.Name.LocalName}>, not <domain>");
            return problems;
        }
        hypervisor = (string?)root.Attribute("type");
        var name = root.Element("name")?.Value.Trim();
        if (name != command.VmName)
        {
            problems.Add($"domain XML names '{name}', the order '{command.VmName}'");
        }
        var uuidText = root.Element("uuid")?.Value.Trim();
        if (!Guid.TryParse(uuidText, out var uuid) || uuid != command.VmUuid)
        {
            problems.Add($"domain XML has UUID '{uuidText}', the order {command.VmUuid:D}");
        }

        var disks = DiskSources(root);
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

    /// <summary>Every disk source of the definition in the notation of <see cref="StartCommand.Volumes"/>.</summary>
    public static HashSet<string> DiskSources(XElement domain)
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var disk in domain.Elements("devices").Elements("disk"))
        {
            var source = disk.Element("source");
            if (source is null)
            {
                continue; // an empty CD-ROM drive opens nothing
            }
            var text = (string?)source.Attribute("file")
                ?? (string?)source.Attribute("dev")
                ?? (source.Attribute("protocol") is { } protocol ? $"{protocol.Value}:{(string?)source.Attribute("name")}" : null)
                ?? (source.Attribute("pool") is { } pool ? $"{pool.Value}/{(string?)source.Attribute("volume")}" : null);
            if (text is not null)
            {
                sources.Add(text);
            }
        }
        return sources;
    }
}
