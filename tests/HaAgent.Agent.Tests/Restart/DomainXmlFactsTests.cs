using System.Xml;
using System.Xml.Linq;
using HaAgent.Agent.Restart;

namespace HaAgent.Agent.Tests.Restart;

/// <summary>The one-pass reader must find what the LINQ-to-XML queries it replaced found, on every shape of definition.</summary>
public sealed class DomainXmlFactsTests
{
    public static TheoryData<string> Definitions => new()
    {
        """
        <domain type='kvm'>
          <name>ha-web-1</name>
          <uuid>6f1b3f52-9a43-4c4e-8b76-1f0a3a3c9e21</uuid>
          <memory unit='MiB'>512</memory>
          <devices>
            <disk type='network' device='disk'><driver name='qemu' type='raw'/><source protocol='rbd' name='vms/web-1'><host name='mon1'/></source><target dev='vda'/></disk>
            <disk type='file'><source file='/var/lib/images/a.qcow2'/></disk>
            <disk type='block'><source dev='/dev/sdb'/><source dev='/dev/second-ignored'/></disk>
            <disk type='volume'><source pool='default' volume='v1'/></disk>
            <disk type='file' device='cdrom'><target dev='hdc'/></disk>
            <disk/>
            <interface type='network'><source network='default'/></interface>
          </devices>
          <devices><disk><source file='/second/devices'/></disk></devices>
        </domain>
        """,
        "<domain><name> spaced <!-- c -->name\t</name><name>second</name><uuid><![CDATA[6f1b3f52-9a43-4c4e-8b76-1f0a3a3c9e21]]></uuid></domain>",
        "<domain><name>a<b>inner</b> <c/>z</name><uuid/></domain>",
        "<domain><name/><devices/></domain>",
        "<domain xmlns:q='urn:q' q:type='x'><q:name>ns</q:name><name>plain</name><q:devices><disk><source file='/ns'/></disk></q:devices></domain>",
        "<domain xmlns='urn:default' type='kvm'><name>in default ns</name><devices><disk><source file='/d'/></disk></devices></domain>",
        "<domain><devices><disk><q:source xmlns:q='urn:q' file='/ns'/><source file=''/></disk></devices></domain>",
        "<domain><metadata><name>deep</name><uuid>deep</uuid></metadata><devices><disk><target><source file='/too-deep'/></target></disk></devices></domain>",
        "<other type='x'><uuid>6f1b3f52-9a43-4c4e-8b76-1f0a3a3c9e21</uuid></other>",
        "<domain><name>&lt;amp&amp;&#65;</name><devices><disk><source protocol='nbd'/></disk><disk><source pool='p'/></disk></devices></domain>",
        "<?xml version='1.0'?>\n<!-- lead -->\n<domain><name>x</name></domain>\n<!-- trail -->",
    };

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Parse_Definition_SameAsLinqToXml(string xml)
    {
        // Loaded exactly as DomainXmlCheck loaded it before (its reader keeps whitespace-only text nodes).
        using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        var root = XDocument.Load(reader).Root!;
        var facts = DomainXmlFacts.Parse(xml);

        Assert.Equal(root.Name.LocalName, facts.RootName);
        Assert.Equal((string?)root.Attribute("type"), facts.Type);
        Assert.Equal(root.Element("name")?.Value, facts.Name);
        Assert.Equal(root.Element("uuid")?.Value, facts.Uuid);
        Assert.Equal(LinqDiskSources(root).Order(), facts.DiskSources.Order());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<domain>")]
    [InlineData("<domain></other>")]
    [InlineData("<domain/><second/>")]
    [InlineData("<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><name>&x;</name></domain>")]
    [InlineData("<domain><name>&undefined;</name></domain>")]
    public void Parse_NotAcceptable_ThrowsXmlException(string xml) =>
        Assert.Throws<XmlException>(() => DomainXmlFacts.Parse(xml));

    /// <summary>The query DomainXmlCheck used before (LINQ to XML).</summary>
    private static HashSet<string> LinqDiskSources(XElement domain)
    {
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var disk in domain.Elements("devices").Elements("disk"))
        {
            var source = disk.Element("source");
            if (source is null)
            {
                continue;
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
