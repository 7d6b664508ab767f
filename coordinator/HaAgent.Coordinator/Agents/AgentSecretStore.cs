using System.Collections.Frozen;
using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Validation;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Agents;

/// <summary>
/// The coordinator's per-host secrets: <c>Agents:Hosts:&lt;hostId&gt;:SecretFile</c> entries and the
/// <c>&lt;hostId&gt;.key</c> files of <c>Agents:SecretDirectory</c>. Lookups read an immutable snapshot; an unknown host
/// triggers a re-read of the directory at most every <see cref="AgentEndpointOptions.SecretRescanSeconds"/> (for all
/// callers together, so unknown-host floods cost one directory listing per interval), which adds new hosts, picks up
/// replaced keys and drops removed files. Secrets are never logged, and no problem message quotes a file's content.
/// </summary>
internal sealed partial class AgentSecretStore : IHostSecretStore
{
    private readonly AgentEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentSecretStore> _logger;
    private readonly long _rescanTicks;
    private FrozenDictionary<string, byte[]> _secrets;
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
    }

    /// <summary>Hosts with a secret right now.</summary>
    public int Count => Volatile.Read(ref _secrets).Count;

    public bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret)
    {
        if (Volatile.Read(ref _secrets).TryGetValue(hostId, out var bytes) || (RescanIfDue() && Volatile.Read(ref _secrets).TryGetValue(hostId, out bytes)))
        {
            secret = bytes;
            return true;
        }
        secret = default;
        return false;
    }

    /// <summary>Whether the host has a secret, without triggering a re-read (for choosing a log rate-limit bucket).</summary>
    public bool IsKnown(string hostId) => Volatile.Read(ref _secrets).ContainsKey(hostId);

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
            var before = Volatile.Read(ref _secrets).Count;
            var secrets = Load();
            Volatile.Write(ref _secrets, secrets);
            Log.DirectoryRescanned(_logger, _options.SecretDirectory, secrets.Count, secrets.Count - before);
            return true;
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    private FrozenDictionary<string, byte[]> Load()
    {
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (_options.SecretDirectory is { } directory)
        {
            foreach (var path in SecretFile.EnumerateKeyFiles(directory))
            {
                var hostId = SecretFile.HostIdOf(path);
                if (!MessageValidator.IsId(hostId))
                {
                    Log.SecretFileIgnored(_logger, path, "its name is not <hostId>.key with a valid host id");
                }
                else if (HostSecretFile.TryRead(path, out var secret, out var problem))
                {
                    secrets[hostId] = secret;
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
                if (HostSecretFile.TryRead(path, out var secret, out var problem))
                {
                    secrets[hostId] = secret;
                }
                else
                {
                    secrets.Remove(hostId);
                    Log.SecretFileIgnored(_logger, path, problem);
                }
            }
        }
        return secrets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
