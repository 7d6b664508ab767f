namespace HaAgent.Coordinator.Agents.Tls;

/// <summary>
/// Section <c>Tls</c>: the certificate Kestrel serves on every <c>https://</c> URL (the agent endpoint and the REST
/// API). Unset = no certificate; then only <c>http://</c> URLs can be bound. TRANSPORT.md "TLS".
/// </summary>
internal sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>PEM file: the server certificate first, then any intermediate CA certificates (sent in the handshake).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM file with the certificate's private key (unencrypted PKCS#8, PKCS#1 or SEC1). Unset = the key is in <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// How often a TLS handshake may check the two files for a change (size or modification time); a changed pair is
    /// loaded and served to new connections without a restart (an unusable pair is logged and the old one kept). 0 = never.
    /// </summary>
    public int ReloadCheckSeconds { get; set; } = 5;

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificateFile);

    /// <summary>The first problem naming its key, or null. Loads the certificate when configured.</summary>
    public string? Validate()
    {
        if (ReloadCheckSeconds is < 0 or > 86_400)
        {
            return $"{Section}:{nameof(ReloadCheckSeconds)} must be between 0 (never) and 86400";
        }
        if (!Enabled)
        {
            return string.IsNullOrWhiteSpace(KeyFile) ? null : $"{Section}:{nameof(KeyFile)} is set but {Section}:{nameof(CertificateFile)} is not";
        }
        if (!ServerCertificate.TryLoad(CertificateFile!, KeyFile, out var loaded, out var problem))
        {
            return problem;
        }
        loaded.Dispose();
        return null;
    }
}
