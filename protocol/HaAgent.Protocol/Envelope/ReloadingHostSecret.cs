namespace HaAgent.Protocol.Envelope;

/// <summary>
/// An agent's own secret, from <see cref="HostSecretFiles"/> (<c>&lt;path&gt;</c> + <c>&lt;path&gt;.next</c>), read again at most
/// every <c>reloadInterval</c> when a frame is signed or checked, so a rollover needs no restart. A file that turns
/// unreadable keeps the last good secrets (the agent must not lose its coordinator over a half-written file) and is
/// reported once per distinct problem through <c>onProblem</c>; <c>onChange</c> tells when a rollover starts or ends.
/// </summary>
public sealed class ReloadingHostSecret : IHostSecretStore
{
    private readonly string _hostId;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly long _reloadTicks;
    private readonly Action<string>? _onProblem;
    private readonly Action<bool>? _onChange;
    private readonly Lock _reloading = new();
    private Snapshot _snapshot;
    private long _loadedAt;
    private string? _lastProblem;

    /// <exception cref="InvalidDataException">The files are unusable at start.</exception>
    public ReloadingHostSecret(string hostId, string path, TimeProvider time, TimeSpan reloadInterval, Action<string>? onProblem = null,
        Action<bool>? onChange = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _hostId = hostId;
        _path = path;
        _time = time;
        _reloadTicks = (long)(reloadInterval.TotalSeconds * time.TimestampFrequency);
        _onProblem = onProblem;
        _onChange = onChange;
        _snapshot = HostSecretFiles.TryRead(path, out var secrets, out var problem)
            ? new Snapshot(secrets)
            : throw new InvalidDataException(problem);
        _loadedAt = time.GetTimestamp();
    }

    /// <summary>Whether a rollover is in progress (two secrets held), as last read.</summary>
    public bool InRollover => Current().Secrets.HasPrevious;

    public bool TryGetSecret(string hostId, out ReadOnlyMemory<byte> secret)
    {
        if (string.Equals(hostId, _hostId, StringComparison.Ordinal))
        {
            secret = Current().Secrets.Newest;
            return true;
        }
        secret = default;
        return false;
    }

    public bool TryGetSecrets(string hostId, out HostSecretPair secrets)
    {
        if (string.Equals(hostId, _hostId, StringComparison.Ordinal))
        {
            secrets = Current().Secrets;
            return true;
        }
        secrets = default;
        return false;
    }

    /// <summary>Reads the files now (tests, or a SIGHUP-style trigger).</summary>
    public void Reload()
    {
        lock (_reloading)
        {
            Volatile.Write(ref _loadedAt, _time.GetTimestamp());
            var before = Volatile.Read(ref _snapshot);
            if (!HostSecretFiles.TryRead(_path, out var secrets, out var problem))
            {
                if (!string.Equals(problem, _lastProblem, StringComparison.Ordinal))
                {
                    _lastProblem = problem;
                    _onProblem?.Invoke(problem);
                }
                return;
            }
            _lastProblem = null;
            if (!Same(before.Secrets, secrets))
            {
                Volatile.Write(ref _snapshot, new Snapshot(secrets));
                _onChange?.Invoke(secrets.HasPrevious);
            }
        }
    }

    private Snapshot Current()
    {
        if (_time.GetTimestamp() - Volatile.Read(ref _loadedAt) >= _reloadTicks && _reloading.TryEnter())
        {
            // One caller reads the files; the others go on with the snapshot they have.
            try
            {
                Reload();
            }
            finally
            {
                _reloading.Exit();
            }
        }
        return Volatile.Read(ref _snapshot);
    }

    private static bool Same(HostSecretPair a, HostSecretPair b) =>
        a.Newest.Span.SequenceEqual(b.Newest.Span) && a.Previous.Span.SequenceEqual(b.Previous.Span);

    private sealed record Snapshot(HostSecretPair Secrets);
}
