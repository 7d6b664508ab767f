using System.Text;
using System.Xml;

namespace HaAgent.Agent.Restart;

/// <summary>
/// What the agent reads from a domain definition, in one forward pass of an <see cref="XmlReader"/> over the whole
/// document (so malformed XML anywhere still fails with <see cref="XmlException"/>, DTDs refused). Not XDocument:
/// System.Xml.Linq pulls TypeConverter into the NativeAOT agent (~0.1 MB with its MethodTables). The values are what
/// the LINQ-to-XML queries gave: <c>root.Element("name").Value</c> (all text below the first such child, untrimmed),
/// <c>root.Element("uuid").Value</c>, <c>root.Attribute("type")</c>, and per <c>devices/disk</c> its first
/// <c>source</c> child's attributes — element and attribute names in no namespace.
/// </summary>
internal sealed class DomainXmlFacts
{
    private DomainXmlFacts(string rootName) => RootName = rootName;

    /// <summary>The root element's local name (a definition's is "domain").</summary>
    public string RootName { get; }

    /// <summary>The root's <c>type</c> attribute (the hypervisor), null when absent.</summary>
    public string? Type { get; private set; }

    /// <summary>Text of the first <c>name</c> child of the root, null when there is none.</summary>
    public string? Name { get; private set; }

    /// <summary>Text of the first <c>uuid</c> child of the root, null when there is none.</summary>
    public string? Uuid { get; private set; }

    /// <summary>Every disk source in the notation of <see cref="StartCommand.Volumes"/> (a disk without a source, e.g. an empty CD-ROM, opens nothing).</summary>
    public HashSet<string> DiskSources { get; } = new(StringComparer.Ordinal);

    /// <exception cref="XmlException">The text is not well-formed XML, or carries a DTD.</exception>
    public static DomainXmlFacts Parse(string xml)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        DomainXmlFacts? facts = null;
        StringBuilder? text = null; // the name or uuid element being read
        var textIsName = false;
        var inDevices = false;
        var inDisk = false;
        var diskHasSource = false;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element when reader.Depth == 0:
                    facts = new DomainXmlFacts(reader.LocalName) { Type = reader.GetAttribute("type", "") };
                    break;
                case XmlNodeType.Element when reader.Depth == 1 && reader.NamespaceURI.Length == 0:
                    if ((reader.LocalName == "name" && facts!.Name is null) || (reader.LocalName == "uuid" && facts!.Uuid is null))
                    {
                        textIsName = reader.LocalName == "name";
                        if (reader.IsEmptyElement)
                        {
                            Set(facts!, textIsName, "");
                        }
                        else
                        {
                            text = new StringBuilder();
                        }
                    }
                    inDevices = reader.LocalName == "devices" && !reader.IsEmptyElement;
                    break;
                case XmlNodeType.Element when reader.Depth == 2 && inDevices && reader.NamespaceURI.Length == 0 && reader.LocalName == "disk":
                    inDisk = !reader.IsEmptyElement;
                    diskHasSource = false;
                    break;
                case XmlNodeType.Element when reader.Depth == 3 && inDisk && !diskHasSource && reader.NamespaceURI.Length == 0 && reader.LocalName == "source":
                    diskHasSource = true;
                    if (Source(reader) is { } source)
                    {
                        facts!.DiskSources.Add(source);
                    }
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text?.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement when reader.Depth == 1:
                    if (text is not null)
                    {
                        Set(facts!, textIsName, text.ToString());
                        text = null;
                    }
                    inDevices = false;
                    break;
                case XmlNodeType.EndElement when reader.Depth == 2:
                    inDisk = false;
                    break;
            }
        }
        return facts ?? throw new XmlException("Root element is missing.");
    }

    private static void Set(DomainXmlFacts facts, bool name, string value)
    {
        if (name)
        {
            facts.Name = value;
        }
        else
        {
            facts.Uuid = value;
        }
    }

    private static string? Source(XmlReader source)
    {
        if (source.GetAttribute("file", "") is { } file)
        {
            return file;
        }
        if (source.GetAttribute("dev", "") is { } dev)
        {
            return dev;
        }
        if (source.GetAttribute("protocol", "") is { } protocol)
        {
            return $"{protocol}:{source.GetAttribute("name", "")}";
        }
        return source.GetAttribute("pool", "") is { } pool ? $"{pool}/{source.GetAttribute("volume", "")}" : null;
    }
}
