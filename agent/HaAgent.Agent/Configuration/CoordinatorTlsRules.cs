using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Agent.Configuration;

/// <summary>Checks of the link's TLS keys (<c>Coordinator:CaFile</c>, <c>PinnedCertificates</c>, <c>HttpVersion</c>).</summary>
internal static class CoordinatorTlsRules
{
    public static readonly string[] HttpVersions = ["1.1", "2", "2-prior-knowledge"];

    public static void Check(AgentOptions options, List<string> failures)
    {
        var link = options.Coordinator;
        if (!HttpVersions.Contains(link.HttpVersion, StringComparer.Ordinal))
        {
            failures.Add($"Coordinator:HttpVersion '{link.HttpVersion}' must be one of {string.Join(", ", HttpVersions)}");
        }
        for (var i = 0; i < link.PinnedCertificates.Count; i++)
        {
            if (ParsePin(link.PinnedCertificates[i]) is null)
            {
                failures.Add($"Coordinator:PinnedCertificates:{i} is not a SHA-256 fingerprint (64 hex digits, ':' allowed)");
            }
        }
        if (link.CaFile is { } caFile && TryLoadCaFile(caFile, out _) is { } problem)
        {
            failures.Add($"Coordinator:CaFile {problem}");
        }
        if (link.CaFile is not null || link.PinnedCertificates.Count > 0)
        {
            // A trust setting with a plain-http endpoint would silently leave that endpoint unencrypted.
            for (var i = 0; i < options.CoordinatorEndpoints.Count; i++)
            {
                if (Uri.TryCreate(options.CoordinatorEndpoints[i], UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp)
                {
                    failures.Add($"CoordinatorEndpoints:{i} '{options.CoordinatorEndpoints[i]}' is http:// although Coordinator:CaFile/PinnedCertificates is set: use https://");
                }
            }
        }
    }

    /// <summary>The 32 bytes of a fingerprint written as hex (upper/lower case, optional ':' separators), or null.</summary>
    public static byte[]? ParsePin(string text)
    {
        var hex = text.Replace(":", "", StringComparison.Ordinal).Trim();
        if (hex.Length != SHA256.HashSizeInBytes * 2)
        {
            return null;
        }
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The certificates of a PEM bundle; a problem text (naming the file, never its content) when none can be read.</summary>
    public static string? TryLoadCaFile(string path, out X509Certificate2Collection certificates)
    {
        certificates = [];
        if (!File.Exists(path))
        {
            return $"'{path}' does not exist";
        }
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return $"'{path}' is not a PEM certificate bundle ({e.Message})";
        }
        return certificates.Count == 0 ? $"'{path}' holds no PEM certificate" : null;
    }
}
