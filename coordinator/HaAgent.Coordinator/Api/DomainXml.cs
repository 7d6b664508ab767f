using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// Checks a libvirt domain definition before it is stored for restarts: UTF-8, well-formed, no DTD (so no entity
/// expansion bombs and no external entities — nothing is ever fetched), root &lt;domain&gt; whose &lt;name&gt; is
/// the VM id and which has a &lt;uuid&gt;. The agent re-checks name, UUID and disks against the start order.
/// </summary>
internal static class DomainXml
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = ApiValidation.MaxDefinitionBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>The field and message of the first problem, or null with the definition's UUID.</summary>
    public static (string Field, string Message)? Check(byte[] xml, string vmId, out string? uuid)
    {
        uuid = null;
        try
        {
            StrictUtf8.GetCharCount(xml);
        }
        catch (DecoderFallbackException)
        {
            return ("body", "must be UTF-8 encoded");
        }
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml, writable: false), Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            // Position only: the parser's message may quote the body.
            return ("body", $"is not well-formed XML without a DTD (line {e.LineNumber}, position {e.LinePosition}); DTDs and entities other than the XML built-ins are refused");
        }
        var root = document.Root;
        if (root is null || root.Name != XName.Get("domain"))
        {
            return ("body", "the root element must be <domain> (a libvirt domain definition)");
        }
        var names = root.Elements("name").ToList();
        if (names.Count != 1 || !string.Equals(names[0].Value.Trim(), vmId, StringComparison.Ordinal))
        {
            return ("name", $"<domain> must hold exactly one <name>, equal to the VM id '{vmId}'");
        }
        var uuids = root.Elements("uuid").ToList();
        if (uuids.Count != 1 || !Guid.TryParse(uuids[0].Value.Trim(), out var parsed))
        {
            return ("uuid", "<domain> must hold exactly one <uuid> with a UUID");
        }
        uuid = parsed.ToString("D");
        return null;
    }
}
