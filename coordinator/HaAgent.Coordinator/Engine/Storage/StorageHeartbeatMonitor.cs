using System.Collections.Concurrent;
using HaAgent.Core.Env;
using HaAgent.Protocol.StorageHeartbeat;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Engine.Storage;

/// <summary>
/// Keeps the newest storage heartbeat of every host in memory, so the decision core's per-host, per-step
/// <c>TryReadStorageHeartbeat</c> is a dictionary lookup, never a storage round-trip. A background loop reads every
/// configured source each <see cref="StorageHeartbeatOptions.ReadPeriod"/>; when a host writes to several, the
/// newest (incarnation, sequence) wins. A record flagged self-fenced is also handed out once as a notice, because
/// that report must reach the coordinator even when the host's network is cut.
/// </summary>
internal sealed partial class StorageHeartbeatMonitor : BackgroundService
{
    private readonly IReadOnlyList<IStorageHeartbeatSource> _sources;
    private readonly TimeSpan _period;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, StorageHeartbeat> _latest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _selfFenceSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HeartbeatRecord> _selfFences = new();
    private readonly Dictionary<string, DateTimeOffset> _lastFailureLogged = new(StringComparer.Ordinal);
    private volatile string[] _hosts = [];

    public StorageHeartbeatMonitor(IOptions<EngineOptions> options, TimeProvider time, ILogger<StorageHeartbeatMonitor> logger)
        : this(CreateSources(options.Value.StorageHeartbeat), options.Value.StorageHeartbeat.ReadPeriod, time, logger)
    {
    }

    internal StorageHeartbeatMonitor(IReadOnlyList<IStorageHeartbeatSource> sources, TimeSpan period, TimeProvider time, ILogger logger)
    {
        _sources = sources;
        _period = period;
        _time = time;
        _logger = logger;
    }

    /// <summary>False when no storage heartbeat is configured: the core then sees none (silent hosts are "dead", not "isolated").</summary>
    public bool Configured => _sources.Count > 0;

    /// <summary>The hosts to read (the engine sets them from the host documents).</summary>
    public void SetHosts(IEnumerable<string> hostIds) => _hosts = [.. hostIds];

    public bool TryRead(string hostId, out StorageHeartbeat heartbeat) => _latest.TryGetValue(hostId, out heartbeat);

    /// <summary>A record that newly carries the self-fence flag (each distinct self-fence once).</summary>
    /// <remarks>
    /// A notice whose flag has since cleared (the host was unfenced and may run VMs again) is dropped: reporting it
    /// late would release VMs that are running.
    /// </remarks>
    public bool TryTakeSelfFence([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HeartbeatRecord? record)
    {
        while (_selfFences.TryDequeue(out record))
        {
            if (_selfFenceSeen.TryGetValue(record.HostId, out var current) && current == record.SelfFencedAt)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One round over every source (the loop's body; tests call it directly).</summary>
    public void ReadOnce(CancellationToken cancellationToken)
    {
        var hosts = _hosts;
        if (hosts.Length == 0)
        {
            return;
        }
        var newest = new Dictionary<string, HeartbeatRecord>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            IReadOnlyList<HeartbeatRecord> records;
            try
            {
                records = source.ReadAll(hosts, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailureRateLimited(source.Name, e);
                continue;
            }
            foreach (var record in records)
            {
                if (!newest.TryGetValue(record.HostId, out var seen)
                    || (record.Incarnation, record.Sequence).CompareTo((seen.Incarnation, seen.Sequence)) > 0)
                {
                    newest[record.HostId] = record;
                }
            }
        }
        foreach (var record in newest.Values)
        {
            _latest[record.HostId] = new StorageHeartbeat(record.HostId, record.Incarnation, record.Sequence, record.WrittenAt, record.LastEpochSeen);
            if (record.SelfFencedAt is not { } at)
            {
                _selfFenceSeen.TryRemove(record.HostId, out _);
            }
            else if (!_selfFenceSeen.TryGetValue(record.HostId, out var known) || known != at)
            {
                _selfFenceSeen[record.HostId] = at;
                _selfFences.Enqueue(record);
            }
        }
    }

    public override void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_sources.Count == 0)
        {
            Log.NoStorageHeartbeat(_logger);
            return;
        }
        using var timer = new PeriodicTimer(_period, _time);
        do
        {
            // Native reads block: keep them off the host's startup path and the thread pool's hot threads.
            await Task.Run(() => ReadOnce(stoppingToken), stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static List<IStorageHeartbeatSource> CreateSources(StorageHeartbeatOptions options)
    {
        var sources = new List<IStorageHeartbeatSource>();
        if (options.Ceph is { } ceph)
        {
            sources.Add(new RadosHeartbeatSource(ceph, options.Parallelism));
        }
        if (options.Iscsi is { } iscsi)
        {
            sources.Add(new IscsiHeartbeatSource(iscsi));
        }
        return sources;
    }

    private void LogFailureRateLimited(string source, Exception e)
    {
        var now = _time.GetUtcNow();
        lock (_lastFailureLogged)
        {
            if (_lastFailureLogged.TryGetValue(source, out var last) && now - last < TimeSpan.FromSeconds(30))
            {
                return;
            }
            _lastFailureLogged[source] = now;
        }
        Log.ReadFailed(_logger, source, e);
    }
}
