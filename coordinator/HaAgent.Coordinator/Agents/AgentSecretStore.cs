using System.Collections.Frozen;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Validation;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// The coordinator's per-host secrets: <c>Agents:Hosts:&lt;hostId&gt;:SecretFile</c> entries and the
/// <c>&lt;hostId&gt;.key</c> files of <c>Agents:SecretDirectory</c>, each with an optional <c>.next</c> file beside it
/// during a key rollover (<see cref="HostSecretFiles"/>: the next secret is signed with and accepted, the current one
/// still accepted). Lookups read an immutable snapshot. The files are re-read every
/// <see cref="AgentEndpointOptions.SecretReloadSeconds"/> in the background (only files whose size or time changed are
/// read again), and an unknown host triggers a re-read at most every <see cref="AgentEndpointOptions.SecretRescanSeconds"/>
/// (for all callers together, so unknown-host floods cost one directory listing per interval). A re-read adds new
/// hosts, starts and ends rollovers, picks up replaced keys and drops removed files. Secrets are never logged, and no
/// problem message quotes a file's content.
/// </summary>
internal sealed partial class AgentSecretStore : IHostSecretStore, IDisposable
{
    private readonly AgentEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentSecretStore> _logger;
    private readonly long _rescanTicks;
    private readonly Dictionary<string, CachedFile> _files = new(StringComparer.Ordinal);
    private readonly ITimer? _reloadTimer;
    private FrozenDictionary<string, HostSecretPair> _secrets;
    private long _lastScan;
    private int _scanning;

    public AgentSecretStore(IOptions<AgentEndpointOptions> options, TimeProvider time, ILogger<AgentSecretStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _rescanTicks = _options.SecretRescanSeconds * time.TimestampFrequency;
        _lastScan = time.GetTimestamp();
        _secrets = Load();
        if (_options.SecretReloadSeconds > 0)
        {
            var period = TimeSpan.FromSeconds(_options.SecretReloadSeconds);
            _reloadTimer = time.CreateTimer(static state => ((AgentSecretStore)state!).Reload(), this, period, period);
        }
    }

    /// <summary>Hosts with a secret right now.</summary>
    public int Count => Volatile.Read(ref _secrets).Count;

    /// <summary>Hosts in a key rollover right now (two secrets accepted).</summary>
    public int InRollover => Volatile.Read(ref _secrets).Values.Count(static s => s.HasPrevious);

    public bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret)
    {
        if (TryGetSecrets(hostId, out var secrets))
        {
            secret = secrets.Newest;
            return true;
        }
        secret = default;
        return false;
    }

    public bool TryGetSecrets(string hostId, out HostSecretPair secrets) =>
        Volatile.Read(ref _secrets).TryGetValue(hostId, out secrets) || (RescanIfDue() && Volatile.Read(ref _secrets).TryGetValue(hostId, out secrets));

    /// <summary>Whether the host has a secret, without triggering a re-read (for choosing a log rate-limit bucket).</summary>
    public bool IsKnown(string hostId) => Volatile.Read(ref _secrets).ContainsKey(hostId);

    /// <summary>Re-reads the secret files now (the periodic reload; tests call it to skip the wait). False when a re-read was already running.</summary>
    public bool Reload()
    {
        if (Interlocked.Exchange(ref _scanning, 1) == 1)
        {
            return false;
        }
        try
        {
            Volatile.Write(ref _lastScan, _time.GetTimestamp());
            Publish(Load(), rescan: false);
            return true;
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    public void Dispose() => _reloadTimer?.Dispose();

    private bool RescanIfDue()
    {
        if (_options.SecretDirectory is null)
        {
            return false;
        }
        var now = _time.GetTimestamp();
        if (now - Volatile.Read(ref _lastScan) < _rescanTicks || Interlocked.Exchange(ref _scanning, 1) == 1)
        {
            return false;
        }
        try
        {
            Volatile.Write(ref _lastScan, now);
            Publish(Load(), rescan: true);
            return true;
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    private void Publish(FrozenDictionary<string, HostSecretPair> secrets, bool rescan)
    {
        var before = Volatile.Read(ref _secrets);
        Volatile.Write(ref _secrets, secrets);
        if (rescan)
        {
            Log.DirectoryRescanned(_logger, _options.SecretDirectory ?? "", secrets.Count, secrets.Count - before.Count);
        }
        int started = 0, ended = 0, rolling = 0;
        foreach (var (hostId, pair) in secrets)
        {
            var wasRolling = before.TryGetValue(hostId, out var old) && old.HasPrevious;
            rolling += pair.HasPrevious ? 1 : 0;
            started += pair.HasPrevious && !wasRolling ? 1 : 0;
            ended += !pair.HasPrevious && wasRolling ? 1 : 0;
        }
        if (started > 0 || ended > 0)
        {
            // One line per re-read, not per host: rotating every host's key at once must not write 10 000 lines.
            Log.Rollover(_logger, started, ended, rolling, secrets.Count);
        }
    }

    private FrozenDictionary<string, HostSecretPair> Load()
    {
        var secrets = new Dictionary<string, HostSecretPair>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (_options.SecretDirectory is { } directory)
        {
            foreach (var path in SecretFile.EnumerateKeyFiles(directory))
            {
                var hostId = SecretFile.HostIdOf(path);
                if (!MessageValidator.IsId(hostId))
                {
                    Log.SecretFileIgnored(_logger, path, "its name is not <hostId>.key with a valid host id");
                }
                else if (TryRead(path, seen, out var pair, out var problem))
                {
                    secrets[hostId] = pair;
                }
                else
                {
                    Log.SecretFileIgnored(_logger, path, problem);
                }
            }
        }
        foreach (var (hostId, host) in _options.Hosts)
        {
            // Validated at start; a file broken since then is logged and its host refused rather than stopping the endpoint.
            if (host.SecretFile is { } path && MessageValidator.IsId(hostId))
            {
                if (TryRead(path, seen, out var pair, out var problem))
                {
                    secrets[hostId] = pair;
                }
                else
                {
                    secrets.Remove(hostId);
                    Log.SecretFileIgnored(_logger, path, problem);
                }
            }
        }
        foreach (var gone in _files.Keys.Where(p => !seen.Contains(p)).ToList())
        {
            _files.Remove(gone);
        }
        return secrets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary><see cref="HostSecretFiles.TryRead"/> through a cache keyed by path, size and modification time.</summary>
    private bool TryRead(string path, HashSet<string> seen, out HostSecretPair pair, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        pair = default;
        if (!TryReadOne(path, seen, out var current, out problem))
        {
            return false;
        }
        var next = HostSecretFiles.NextOf(path);
        if (!File.Exists(next))
        {
            pair = new HostSecretPair(current, default);
            return true;
        }
        if (!TryReadOne(next, seen, out var newest, out problem))
        {
            return false;
        }
        pair = newest.AsSpan().SequenceEqual(current) ? new HostSecretPair(newest, default) : new HostSecretPair(newest, current);
        return true;
    }

    private bool TryReadOne(string path, HashSet<string> seen, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? secret,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        seen.Add(path);
        var info = new FileInfo(path);
        DateTime written;
        long length;
        try
        {
            written = info.Exists ? info.LastWriteTimeUtc : default;
            length = info.Exists ? info.Length : -1;
        }
        catch (IOException)
        {
            written = default;
            length = -1;
        }
        if (length >= 0 && _files.TryGetValue(path, out var cached) && cached.Written == written && cached.Length == length)
        {
            secret = cached.Secret;
            problem = null;
            return true;
        }
        if (!HostSecretFile.TryRead(path, out secret, out problem))
        {
            _files.Remove(path);
            return false;
        }
        _files[path] = new CachedFile(written, length, secret);
        return true;
    }

    private sealed record CachedFile(DateTime Written, long Length, byte[] Secret);
}
