using System.Security;

namespace HaAgent.Testing.Libvirt;

/// <summary>
/// A libvirt test-driver node: an XML file with several domains, opened as <c>test:///path/node.xml</c>. The test
/// driver runs inside the client library (no daemon) and gives every connection its own copy of the node, so
/// tests sharing one file cannot see each other's changes. It delivers lifecycle events like a real driver.
/// </summary>
public sealed class LibvirtTestNode : IDisposable
{
    private readonly TempDirectory _directory;

    /// <summary>A node with <see cref="DefaultDomains"/>; the parameterless form lets xunit use it as a class fixture.</summary>
    public LibvirtTestNode()
        : this(new TempDirectory("libvirt-test"), DefaultDomains)
    {
    }

    private LibvirtTestNode(TempDirectory directory, IReadOnlyList<TestDomain> domains)
    {
        _directory = directory;
        Domains = domains;
        NodeXmlPath = directory.File("node.xml");
        File.WriteAllText(NodeXmlPath, NodeXml(domains));
        if (!OperatingSystem.IsWindows())
        {
            // A session libvirtd running as another user (LibvirtSessionDaemon as nobody) reads this file too.
            File.SetUnixFileMode(directory.Path, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(NodeXmlPath, (UnixFileMode)0b110_100_100);
        }
    }

    /// <summary>The default node: two running domains and two shut off.</summary>
    public static IReadOnlyList<TestDomain> DefaultDomains { get; } =
    [
        new("web-1", Guid.Parse("1b9f0c43-5a8e-4a53-9d0c-6f1e2a3b4c01"), Running: true),
        new("db-1", Guid.Parse("1b9f0c43-5a8e-4a53-9d0c-6f1e2a3b4c02"), Running: true),
        new("batch-1", Guid.Parse("1b9f0c43-5a8e-4a53-9d0c-6f1e2a3b4c03"), Running: false),
        new("spare-1", Guid.Parse("1b9f0c43-5a8e-4a53-9d0c-6f1e2a3b4c04"), Running: false),
    ];

    public IReadOnlyList<TestDomain> Domains { get; }

    public string NodeXmlPath { get; }

    /// <summary><c>test:///</c> + the absolute path of the node file.</summary>
    public string Uri => "test://" + NodeXmlPath;

    public static LibvirtTestNode Create(IReadOnlyList<TestDomain>? domains = null) =>
        new(new TempDirectory("libvirt-test"), domains ?? DefaultDomains);

    /// <summary>
    /// A minimal domain definition the test driver accepts (for DefineXml), with <paramref name="disks"/> as file disks
    /// vda, vdb, … (the test driver never opens them).
    /// </summary>
    public static string DomainXml(string name, Guid uuid, params string[] disks)
    {
        var devices = disks.Length == 0 ? "" : "\n  <devices>" + string.Concat(disks.Select((d, i) =>
            $"<disk type=\"file\" device=\"disk\"><source file=\"{SecurityElement.Escape(d)}\"/><target dev=\"vd{(char)('a' + i)}\" bus=\"virtio\"/></disk>")) + "</devices>";
        return $"""
            <domain type="test">
              <name>{SecurityElement.Escape(name)}</name>
              <uuid>{uuid:D}</uuid>
              <memory unit="KiB">65536</memory>
              <vcpu>1</vcpu>
              <os><type arch="x86_64">hvm</type></os>{devices}
            </domain>
            """;
    }

    public void Dispose() => _directory.Dispose();

    private static string NodeXml(IEnumerable<TestDomain> domains)
    {
        var body = string.Concat(domains.Select(d =>
        {
            // test:runstate takes a virDomainState number; 5 is VIR_DOMAIN_SHUTOFF. Without it the domain runs.
            var runstate = d.Running ? string.Empty : "<test:runstate>5</test:runstate>";
            return DomainXml(d.Name, d.Uuid).Replace("</domain>", runstate + "</domain>", StringComparison.Ordinal) + "\n";
        }));
        return $"""
            <node xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
            {body}</node>
            """;
    }
}
