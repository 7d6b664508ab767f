using HaAgent.Coordinator.Logging;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents.Tls;

/// <summary>
/// The certificate every TLS handshake is served with. A handshake checks the files' size and modification time at
/// most every <see cref="TlsOptions.ReloadCheckSeconds"/>; a changed pair is loaded and used by new connections
/// (existing ones keep theirs). A pair that does not load (half-written, key and certificate not matching) is logged
/// once per change and the previous certificate stays in use. Certificates replaced are not disposed: a handshake in
/// flight may still hold one, and a renewal every few weeks leaks nothing measurable.
/// </summary>
internal sealed partial class TlsCertificateSource
{
    private readonly TlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TlsCertificateSource> _logger;
    private readonly long _checkTicks;
    private readonly Lock _loading = new();
    private ServerCertificate? _current;
    private (DateTime, long, DateTime, long) _stamp;
    private long _checkedAt;

    public TlsCertificateSource(IOptions<TlsOptions> options, TimeProvider time, ILogger<TlsCertificateSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _checkTicks = _options.ReloadCheckSeconds * time.TimestampFrequency;
    }

    /// <summary>The certificate to serve now, loaded at the first call (start-up validation already loaded it once).</summary>
    public ServerCertificate Current
    {
        get
        {
            var current = Volatile.Read(ref _current);
            if (current is null || (_checkTicks > 0 && _time.GetTimestamp() - Volatile.Read(ref _checkedAt) >= _checkTicks))
            {
                current = Check();
            }
            return current;
        }
    }

    private ServerCertificate Check()
    {
        lock (_loading)
        {
            Volatile.Write(ref _checkedAt, _time.GetTimestamp());
            var stamp = Stamp();
            var current = _current;
            if (current is not null && stamp == _stamp)
            {
                return current;
            }
            if (ServerCertificate.TryLoad(_options.CertificateFile!, _options.KeyFile, out var loaded, out var problem))
            {
                _stamp = stamp;
                Volatile.Write(ref _current, loaded);
                LogLoaded(loaded.Leaf.Subject, loaded.Leaf.NotAfter.ToUniversalTime(), Convert.ToHexString(loaded.Leaf.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)),
                    current is null ? "loaded" : "reloaded");
                if (loaded.Leaf.NotAfter.ToUniversalTime() < _time.GetUtcNow().UtcDateTime)
                {
                    LogUnusable(_options.CertificateFile!, "the certificate has expired: agents will refuse it");
                }
                return loaded;
            }
            // Remember the stamp so a broken pair is logged once, not at every handshake; a further change is tried again.
            _stamp = stamp;
            LogUnusable(_options.CertificateFile!, problem);
            return current ?? throw new InvalidOperationException(problem);
        }
    }

    private (DateTime, long, DateTime, long) Stamp()
    {
        static (DateTime, long) Of(string? path)
        {
            if (path is null)
            {
                return default;
            }
            var info = new FileInfo(path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default;
        }
        var (certWritten, certLength) = Of(_options.CertificateFile);
        var (keyWritten, keyLength) = Of(_options.KeyFile);
        return (certWritten, certLength, keyWritten, keyLength);
    }

    [LoggerMessage(EventIds.TlsCertificateLoaded, LogLevel.Information, "TLS certificate {Action}: {Subject}, valid until {NotAfter:o}, SHA-256 {Sha256}")]
    private partial void LogLoaded(string subject, DateTime notAfter, string sha256, string action);

    [LoggerMessage(EventIds.TlsCertificateUnusable, LogLevel.Error, "TLS certificate {Path}: {Problem}")]
    private partial void LogUnusable(string path, string problem);
}
