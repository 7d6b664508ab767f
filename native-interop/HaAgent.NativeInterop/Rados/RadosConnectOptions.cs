namespace HaAgent.NativeInterop.Rados;

/// <summary>
/// How to reach and authenticate with a Ceph cluster. Give <see cref="ConfigFile"/>, or <see cref="MonHost"/> plus
/// <see cref="Keyring"/> or <see cref="Key"/>; explicit values override the file. Every wait is bounded by the timeouts
/// so a dead or unreachable cluster costs seconds, never a hung fence.
/// </summary>
public sealed class RadosConnectOptions
{
    /// <summary>The cephx entity, "client.NAME" (e.g. "client.fencer").</summary>
    public required string ClientName { get; init; }

    /// <summary>Cluster name: selects conf sections and the <c>$cluster</c> metavariable.</summary>
    public string ClusterName { get; init; } = "ceph";

    /// <summary>A ceph.conf to read first; null reads none (librados then needs <see cref="MonHost"/>).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>mon_host, e.g. "[v2:127.0.0.1:3300]" or "127.0.0.1,127.0.0.2".</summary>
    public string? MonHost { get; init; }

    /// <summary>Path of a keyring holding <see cref="ClientName"/>'s key.</summary>
    public string? Keyring { get; init; }

    /// <summary>The base64 cephx secret itself (the "key = ..." of a keyring).</summary>
    public string? Key { get; init; }

    /// <summary>client_mount_timeout: how long <see cref="RadosCluster.Connect"/> may wait for a mon (whole seconds, rounded up).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>rados_mon_op_timeout: bound on mon commands, blocklist and osdmap waits.</summary>
    public TimeSpan MonOperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>rados_osd_op_timeout: bound on object reads and writes.</summary>
    public TimeSpan OsdOperationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Further conf options set after the file, e.g. {"admin_socket", ""}.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    internal const string ClientPrefix = "client.";

    /// <summary>Rejects options librados would misread, before anything native runs.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientName) || !ClientName.StartsWith(ClientPrefix, StringComparison.Ordinal)
            || ClientName.Length == ClientPrefix.Length || ClientName.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"ClientName must be \"client.NAME\", not '{ClientName}'", nameof(ClientName));
        }
        if (string.IsNullOrWhiteSpace(ClusterName) || ClusterName.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("ClusterName must not be empty", nameof(ClusterName));
        }
        if (ConfigFile is null && string.IsNullOrWhiteSpace(MonHost))
        {
            throw new ArgumentException("give ConfigFile or MonHost", nameof(MonHost));
        }
        if (ConfigFile is not null && !File.Exists(ConfigFile))
        {
            throw new ArgumentException($"ConfigFile '{ConfigFile}' does not exist", nameof(ConfigFile));
        }
        if (Keyring is not null && !File.Exists(Keyring))
        {
            throw new ArgumentException($"Keyring '{Keyring}' does not exist", nameof(Keyring));
        }
        if (Key is not null && !IsBase64(Key))
        {
            throw new ArgumentException("Key must be a base64 cephx secret", nameof(Key));
        }
        CheckTimeout(ConnectTimeout, nameof(ConnectTimeout));
        CheckTimeout(MonOperationTimeout, nameof(MonOperationTimeout));
        CheckTimeout(OsdOperationTimeout, nameof(OsdOperationTimeout));
    }

    /// <summary>Ceph takes these options in whole seconds, and 0 would mean "wait forever".</summary>
    internal static string Seconds(TimeSpan timeout) =>
        ((long)Math.Ceiling(timeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void CheckTimeout(TimeSpan timeout, string name)
    {
        if (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(name, timeout, "must be positive and at most a day: 0 would let librados wait forever");
        }
    }

    private static bool IsBase64(string key)
    {
        Span<byte> buffer = stackalloc byte[256];
        return key.Length is > 0 and <= 300 && Convert.TryFromBase64String(key, buffer, out var written) && written > 0;
    }
}
