using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Agent.Link;

/// <summary>
/// Decides whether an <c>https://</c> coordinator's certificate is trusted — never "accept any": a certificate whose
/// SHA-256 is pinned (<c>Coordinator:PinnedCertificates</c>) and within its validity dates; or one that chains to a CA
/// of <c>Coordinator:CaFile</c> (custom root trust, no system roots, no revocation check) and names the endpoint; or,
/// with neither configured, the system's own verdict. The reason of the last refusal per endpoint authority is kept
/// so the link's one warning line can say why (the HTTP stack only says "rejected by the validation callback").
/// </summary>
internal sealed class CoordinatorCertificateCheck
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    private readonly X509Certificate2Collection? _roots;
    private readonly string? _caFile;
    private readonly byte[][] _pins;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _refusals = new(StringComparer.OrdinalIgnoreCase);

    public CoordinatorCertificateCheck(X509Certificate2Collection? roots, string? caFile, IEnumerable<byte[]> pins, TimeProvider time)
    {
        _roots = roots is { Count: > 0 } ? roots : null;
        _caFile = caFile;
        _pins = [.. pins];
        _time = time;
    }

    /// <summary>Why the last handshake with <paramref name="host"/> (an endpoint's host name or IP) was refused, if it was.</summary>
    public string? RefusalOf(string host) => _refusals.TryGetValue(Normalize(host), out var reason) ? reason : null;

    private static string Normalize(string host) => host.Trim('[', ']');

    /// <summary>The <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // SocketsHttpHandler passes the SslStream (or, in older versions, the request) as the sender: the target host is
        // what both know. Keyed by host only, so two endpoints on one host share the last reason (same certificate anyway).
        var authority = Normalize(sender switch
        {
            SslStream stream => stream.TargetHostName,
            HttpRequestMessage { RequestUri: { } uri } => uri.Host,
            _ => "?",
        });
        var reason = Judge(certificate, chain, errors);
        if (reason is null)
        {
            _refusals.TryRemove(authority, out _);
            return true;
        }
        _refusals[authority] = reason;
        return false;
    }

    /// <summary>Null when trusted, else the reason (one line).</summary>
    internal string? Judge(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the coordinator presented no certificate";
        }
        if (presented is not X509Certificate2 certificate)
        {
            return "the coordinator's certificate could not be read";
        }
        var now = _time.GetUtcNow().UtcDateTime;
        var describe = $"certificate {certificate.Subject} (SHA-256 {Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256))}, valid {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm}Z to {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm}Z)";
        var expired = now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime();

        if (_pins.Length > 0)
        {
            var hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
            if (_pins.Any(pin => CryptographicOperations.FixedTimeEquals(pin, hash)))
            {
                return expired ? $"{describe} is pinned but outside its validity dates" : null;
            }
            if (_roots is null)
            {
                return $"{describe} is not one of Coordinator:PinnedCertificates";
            }
        }

        if (_roots is null)
        {
            return errors == SslPolicyErrors.None ? null : $"{describe} is not trusted by the system trust store ({errors})";
        }

        if (expired)
        {
            return $"{describe} has expired or is not yet valid";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (presentedChain is not null)
        {
            // The intermediates the server sent.
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (!chain.Build(certificate))
        {
            var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
            return $"{describe} does not chain to a CA of Coordinator:CaFile '{_caFile}' ({status})";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return $"{describe} does not name this endpoint's host (subject alternative names: {AlternativeNames(certificate)})";
        }
        return null;
    }

    private static string AlternativeNames(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is { } san
            ? san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(a => a.ToString())).ToList()
            : [];
        return names.Count == 0 ? "none" : string.Join(" ", names);
    }
}
