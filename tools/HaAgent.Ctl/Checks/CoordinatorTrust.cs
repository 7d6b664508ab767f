using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HaAgent.Ctl.Checks;

/// <summary>
/// How an <c>https://</c> coordinator is trusted, the agent's rule (TRANSPORT.md "TLS"): a pinned SHA-256 within its
/// dates; or a chain to a CA of the CA file (custom root trust, no revocation) naming the host; or the system store.
/// Never "accept any". <see cref="LastRefusal"/> says why the last handshake was refused.
/// </summary>
internal sealed class CoordinatorTrust
{
    private readonly X509Certificate2Collection? _roots;
    private readonly byte[][] _pins;

    private CoordinatorTrust(X509Certificate2Collection? roots, byte[][] pins)
    {
        _roots = roots;
        _pins = pins;
    }

    /// <summary>The same trust with its own <see cref="LastRefusal"/> (one per client probed in parallel).</summary>
    public CoordinatorTrust Fresh() => new(_roots, _pins);

    public string? LastRefusal { get; private set; }

    /// <exception cref="UsageException">The CA file or a pin is unusable.</exception>
    public static CoordinatorTrust Create(string? caFile, IEnumerable<string> pins, string caOption = "--ca-file", string pinOption = "--pin-sha256")
    {
        X509Certificate2Collection? roots = null;
        if (caFile is not null)
        {
            roots = [];
            try
            {
                roots.ImportFromPemFile(caFile);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{caOption} {caFile}: {e.Message}");
            }
            if (roots.Count == 0)
            {
                throw new UsageException($"{caOption} {caFile} holds no PEM certificate");
            }
        }
        var parsed = new List<byte[]>();
        foreach (var pin in pins)
        {
            var hex = pin.Replace(":", "", StringComparison.Ordinal).Trim();
            try
            {
                parsed.Add(hex.Length == 64 ? Convert.FromHexString(hex) : throw new FormatException());
            }
            catch (FormatException)
            {
                throw new UsageException($"{pinOption} '{pin}' is not a SHA-256 fingerprint (64 hex digits, ':' allowed)");
            }
        }
        return new CoordinatorTrust(roots, [.. parsed]);
    }

    public bool Validate(object sender, X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        LastRefusal = Judge(presented, presentedChain, errors);
        return LastRefusal is null;
    }

    private string? Judge(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (presented is not X509Certificate2 certificate)
        {
            return "no server certificate";
        }
        var now = DateTime.UtcNow;
        var subject = certificate.Subject;
        var inDates = now >= certificate.NotBefore.ToUniversalTime() && now <= certificate.NotAfter.ToUniversalTime();
        if (_pins.Length > 0)
        {
            var hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
            if (_pins.Any(pin => CryptographicOperations.FixedTimeEquals(pin, hash)))
            {
                return inDates ? null : $"pinned certificate {subject} is outside its validity dates";
            }
            if (_roots is null)
            {
                return $"certificate {subject} (SHA-256 {Convert.ToHexString(hash)}) is not pinned";
            }
        }
        if (_roots is null)
        {
            return errors == SslPolicyErrors.None ? null : $"certificate {subject} not trusted by the system store ({errors})";
        }
        if (!inDates)
        {
            return $"certificate {subject} has expired or is not yet valid";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (presentedChain is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
        }
        if (!chain.Build(certificate))
        {
            return $"certificate {subject} does not chain to the CA file ({string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct())})";
        }
        return errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) ? $"certificate {subject} does not name this host" : null;
    }
}
