using System.Diagnostics.CodeAnalysis;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Coordinator.Agents.Tls;

/// <summary>A loaded certificate + key pair and the handshake context built from it (leaf and intermediates, offline).</summary>
internal sealed class ServerCertificate : IDisposable
{
    private ServerCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates, SslStreamCertificateContext context)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        Context = context;
    }

    public X509Certificate2 Leaf { get; }

    public X509Certificate2Collection Intermediates { get; }

    public SslStreamCertificateContext Context { get; }

    /// <summary>Loads the pair. Problems name the file and the reason, never key material.</summary>
    public static bool TryLoad(string certificateFile, string? keyFile, [NotNullWhen(true)] out ServerCertificate? certificate,
        [NotNullWhen(false)] out string? problem)
    {
        certificate = null;
        var certKey = $"{TlsOptions.Section}:{nameof(TlsOptions.CertificateFile)}";
        var keyKey = $"{TlsOptions.Section}:{nameof(TlsOptions.KeyFile)}";
        if (!File.Exists(certificateFile))
        {
            problem = $"{certKey} '{certificateFile}' does not exist";
            return false;
        }
        if (keyFile is not null && !File.Exists(keyFile))
        {
            problem = $"{keyKey} '{keyFile}' does not exist";
            return false;
        }
        X509Certificate2? leaf = null;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            if (!leaf.HasPrivateKey)
            {
                problem = $"{keyKey}: no private key for the certificate in '{certificateFile}'";
                leaf.Dispose();
                return false;
            }
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certificateFile);
            var intermediates = new X509Certificate2Collection();
            foreach (var other in all.Skip(1))
            {
                intermediates.Add(other);
            }
            all[0].Dispose();
            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            certificate = new ServerCertificate(leaf, intermediates, context);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            leaf?.Dispose();
            // The message of a PEM/crypto failure describes the problem ("no PEM-encoded data", "key does not match"), not the key.
            problem = $"{certKey} '{certificateFile}' / {keyKey} '{keyFile ?? certificateFile}' unusable: {e.Message}";
            return false;
        }
    }

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var certificate in Intermediates)
        {
            certificate.Dispose();
        }
    }
}
