using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Testing.Tls;

/// <summary>
/// Real X.509 certificates made at test time (no openssl needed): a CA, server certificates it issues (for loopback
/// names and IPs by default; wrong name, expired on request) and self-signed ones, written as PEM files the way an
/// operator would deploy them (certificate file + separate unencrypted PKCS#8 key file, CA bundle).
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(X509Certificate2 ca, ECDsa caKey)
    {
        Ca = ca;
        CaKey = caKey;
    }

    public X509Certificate2 Ca { get; }

    private ECDsa CaKey { get; }

    /// <summary>A new CA (ECDSA P-256, valid from an hour ago for a year).</summary>
    public static TestCertificates NewCa(string name = "HaAgent test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new TestCertificates(ca, key);
    }

    /// <summary>A server certificate issued by this CA, for <paramref name="names"/> (DNS names or IP addresses; default localhost, 127.0.0.1, ::1).</summary>
    public X509Certificate2 IssueServer(IEnumerable<string>? names = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string subject = "CN=coordinator")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = ServerRequest(subject, key, names);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(CaKey),
            notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-10), notAfter ?? DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed server certificate (for pinning).</summary>
    public static X509Certificate2 SelfSignedServer(IEnumerable<string>? names = null, string subject = "CN=coordinator-self-signed")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ServerRequest(subject, key, names).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>Writes the CA certificate as a PEM bundle file.</summary>
    public string WriteCa(string path)
    {
        File.WriteAllText(path, Ca.ExportCertificatePem() + "\n");
        return path;
    }

    /// <summary>Writes <c>&lt;prefix&gt;.crt</c> (certificate PEM) and <c>&lt;prefix&gt;.key</c> (PKCS#8 PEM); returns both paths.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string prefix)
    {
        var certificatePath = prefix + ".crt";
        var keyPath = prefix + ".key";
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no ECDSA private key");
        // Written to temp names and renamed, as an operator's tooling (certbot, cp + mv) would, so a reader never sees half a file.
        File.WriteAllText(keyPath + ".tmp", key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(certificatePath + ".tmp", certificate.ExportCertificatePem() + "\n");
        File.Move(keyPath + ".tmp", keyPath, overwrite: true);
        File.Move(certificatePath + ".tmp", certificatePath, overwrite: true);
        return (certificatePath, keyPath);
    }

    public static string Sha256Hex(X509Certificate2 certificate) => Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));

    private static CertificateRequest ServerRequest(string subject, ECDsa key, IEnumerable<string>? names)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names ?? ["localhost", "127.0.0.1", "::1"])
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request;
    }
}
