using HaAgent.Protocol.Envelope;
using HaAgent.Protocol.Validation;

namespace HaAgent.Coordinator.Agents;

/// <summary>The agent endpoint (<c>/v1/agent/messages</c>, <c>/v1/agent/orders</c>). Section <c>Agents</c>.</summary>
internal sealed class AgentEndpointOptions
{
    public const string Section = "Agents";

    /// <summary>Per-host secret files, keyed by host id. They win over a file of the same host in <see cref="SecretDirectory"/>.</summary>
    public Dictionary<string, AgentHostOptions> Hosts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Directory of <c>&lt;hostId&gt;.key</c> files; re-read on an unknown host (at most every <see cref="SecretRescanSeconds"/>), so a new host needs no restart.</summary>
    public string? SecretDirectory { get; set; }

    /// <summary>Shortest time between two re-reads of <see cref="SecretDirectory"/> caused by unknown hosts.</summary>
    public int SecretRescanSeconds { get; set; } = 5;

    /// <summary>
    /// Period of the background re-read of every secret file (and its <c>.next</c> beside it, TRANSPORT.md "Secret
    /// rotation"); 0 turns it off. Only files whose size or modification time changed are read again. A rollover
    /// starts, and an old secret stops being accepted, within this time of the file change.
    /// </summary>
    public int SecretReloadSeconds { get; set; } = 10;

    /// <summary>How long an order poll waits for an order before answering 204. The agent's HTTP timeout is this + 10 s.</summary>
    public double PollSeconds { get; set; } = 20;

    /// <summary>Orders queued for one host beyond which new ones are refused (the agent is not polling: the engine's timeouts take over).</summary>
    public int MaxQueuedOrdersPerHost { get; set; } = 1024;

    /// <summary>
    /// Nonces remembered to refuse replayed frames (all hosts together). When full, the oldest is forgotten and frames
    /// not newer than it are refused as expired, so it must hold every frame of twice the clock skew (60 s): about one
    /// frame per host per second (1 Hz heartbeats; a poll every 20 s) × 60 s = 60 per host; the default covers 10 000
    /// hosts, ≈ 50 MB when full. Too small (the protocol's default of 100 000 fills in 10 s at 10 000 hosts), and agents
    /// whose clocks lag by more than the cache's span, though within the skew, see their frames refused as expired.
    /// </summary>
    public int ReplayCacheCapacity { get; set; } = 600_000;

    /// <summary>Base URL of each coordinator instance, keyed by store instance id, for the <c>HaAgent-Leader</c> hint of a follower.</summary>
    public Dictionary<string, string> LeaderUrls { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The first problem, naming its configuration key, or null when the options are usable. Reads the secret files.</summary>
    public string? Validate()
    {
        if (PollSeconds is < 0.05 or > 300 || double.IsNaN(PollSeconds))
        {
            return $"{Section}:{nameof(PollSeconds)} must be between 0.05 and 300";
        }
        if (SecretRescanSeconds is < 1 or > 3600)
        {
            return $"{Section}:{nameof(SecretRescanSeconds)} must be between 1 and 3600";
        }
        if (SecretReloadSeconds is < 0 or > 3600)
        {
            return $"{Section}:{nameof(SecretReloadSeconds)} must be between 0 (off) and 3600";
        }
        if (MaxQueuedOrdersPerHost is < 1 or > 1_000_000)
        {
            return $"{Section}:{nameof(MaxQueuedOrdersPerHost)} must be between 1 and 1000000";
        }
        if (ReplayCacheCapacity is < 1024 or > 50_000_000)
        {
            return $"{Section}:{nameof(ReplayCacheCapacity)} must be between 1024 and 50000000";
        }
        foreach (var (hostId, host) in Hosts)
        {
            var key = $"{Section}:{nameof(Hosts)}:{hostId}";
            if (!MessageValidator.IsId(hostId))
            {
                return $"{key} is not a valid host id";
            }
            if (string.IsNullOrWhiteSpace(host.SecretFile))
            {
                return $"{key}:{nameof(AgentHostOptions.SecretFile)} is required";
            }
            if (!HostSecretFiles.TryRead(host.SecretFile, out _, out var problem))
            {
                return $"{key}:{nameof(AgentHostOptions.SecretFile)} {problem}";
            }
        }
        if (SecretDirectory is not null)
        {
            if (!Directory.Exists(SecretDirectory))
            {
                return $"{Section}:{nameof(SecretDirectory)} '{SecretDirectory}' does not exist";
            }
            foreach (var path in SecretFile.EnumerateKeyFiles(SecretDirectory))
            {
                if (!MessageValidator.IsId(SecretFile.HostIdOf(path)))
                {
                    return $"{Section}:{nameof(SecretDirectory)} file '{Path.GetFileName(path)}' is not named <hostId>.key with a valid host id";
                }
                if (!HostSecretFiles.TryRead(path, out _, out var problem))
                {
                    return $"{Section}:{nameof(SecretDirectory)} file '{Path.GetFileName(path)}' {problem}";
                }
            }
        }
        foreach (var (instanceId, url) in LeaderUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return $"{Section}:{nameof(LeaderUrls)}:{instanceId} must be an absolute http(s) URL";
            }
        }
        return null;
    }
}
