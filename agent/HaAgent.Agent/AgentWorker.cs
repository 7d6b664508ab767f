using HaAgent.Agent.DBus;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Link;
using HaAgent.Agent.SelfFence;
using HaAgent.Agent.Vms;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent;

/// <summary>Runs the agent's loops side by side: VM watcher, the heartbeat tick (storage and network heartbeat on one
/// timer), self-fence monitor, the coordinator link and the libvirtd.service watcher (which degrades to one log line on a
/// host without a system bus).</summary>
internal sealed partial class AgentWorker : BackgroundService
{
    private readonly AgentLink _link;
    private readonly SystemdUnitWatcher _libvirtd;
    private readonly VmWatcher _watcher;
    private readonly HeartbeatWriter _heartbeat;
    private readonly SelfFenceMonitor _monitor;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan? _memoryLogInterval;
    private bool[]? _storageFailing;

    public AgentWorker(
        AgentLink link,
        SystemdUnitWatcher libvirtd,
        VmWatcher watcher,
        HeartbeatWriter heartbeat,
        SelfFenceMonitor monitor,
        TimeSpan heartbeatInterval,
        TimeProvider time,
        ILogger<AgentWorker> logger,
        TimeSpan? memoryLogInterval = null)
    {
        _memoryLogInterval = memoryLogInterval;
        _link = link;
        _libvirtd = libvirtd;
        _watcher = watcher;
        _heartbeat = heartbeat;
        _monitor = monitor;
        _heartbeatInterval = heartbeatInterval;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _libvirtd.Start();
        await Task.WhenAll(
            Task.Run(() => _watcher.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => _link.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => FollowLibvirtdAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => HeartbeatTickAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => _monitor.RunAsync(stoppingToken), CancellationToken.None),
            MemoryLogLoopAsync(stoppingToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// libvirtd.service going down makes the VM table stale (the watcher reconnects by itself): say so once per change;
    /// the watcher's own reconnect and reconcile bring the table back. The unit watcher logs each change itself.
    /// </summary>
    private async Task FollowLibvirtdAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var state in _libvirtd.ReadChangesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (state.ActiveState is not (UnitActiveState.Active or UnitActiveState.Unavailable))
                {
                    LogLibvirtdDown(state.RawActiveState, state.SubState);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Footprint diagnostics: what the managed heap holds versus what the process holds (native libraries, stacks, code).</summary>
    private async Task MemoryLogLoopAsync(CancellationToken cancellationToken)
    {
        if (_memoryLogInterval is not { } interval)
        {
            return;
        }
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // GCMemoryInfo describes the last GC (zeros before the first); GetTotalMemory is the heap right now.
                var gc = GC.GetGCMemoryInfo();
                LogMemory(gc.HeapSizeBytes / 1024, gc.TotalCommittedBytes / 1024, GC.GetTotalMemory(false) / 1024, Environment.WorkingSet / 1024,
                    _watcher.Snapshot().Count, GC.CollectionCount(0));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The network heartbeat and the storage heartbeat on one tick (one timer wake-up a second instead of two); neither
    /// waits for the other (<see cref="SharedTick"/>): a storage write stuck up to its bound does not delay the
    /// coordinator's heartbeat, nor a slow coordinator the storage record.
    /// </summary>
    private Task HeartbeatTickAsync(CancellationToken cancellationToken)
    {
        var activities = new List<Func<CancellationToken, Task>> { _link.SendHeartbeatAsync };
        if (_heartbeat.Stores.Count > 0)
        {
            activities.Add(StorageHeartbeatAsync);
        }
        var tick = new SharedTick(_heartbeatInterval, _time, activities,
            (index, error) => LogHeartbeatActivityFailed(index == 0 ? "network" : "storage", error));
        return tick.RunAsync(cancellationToken);
    }

    /// <summary>One storage round; failures are logged on transitions only (a fenced host would otherwise log every second).</summary>
    private async Task StorageHeartbeatAsync(CancellationToken cancellationToken)
    {
        var (record, errors) = await _heartbeat.WriteOnceAsync(cancellationToken).ConfigureAwait(false);
        _storageFailing ??= new bool[errors.Count];
        for (var i = 0; i < errors.Count; i++)
        {
            if (errors[i] is { } error && !_storageFailing[i])
            {
                LogHeartbeatFailed(_heartbeat.Stores[i].Name, record.Sequence, error.Message);
            }
            else if (errors[i] is null && _storageFailing[i])
            {
                LogHeartbeatRecovered(_heartbeat.Stores[i].Name, record.Sequence);
            }
            _storageFailing[i] = errors[i] is not null;
        }
    }

    public override void Dispose()
    {
        _libvirtd.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _watcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose();
    }

    [LoggerMessage(EventId = AgentEventIds.LibvirtdDown, Level = LogLevel.Warning,
        Message = "libvirtd.service is {ActiveState} ({SubState}): VM reports may be stale until libvirt is back")]
    private partial void LogLibvirtdDown(string activeState, string subState);

    [LoggerMessage(EventId = AgentEventIds.MemoryReport, Level = LogLevel.Information,
        Message = "memory: gcHeapKiB={GcHeapKiB} gcCommittedKiB={GcCommittedKiB} gcLiveKiB={GcLiveKiB} rssKiB={RssKiB} watchedVms={Vms} gen0GCs={Gen0}")]
    private partial void LogMemory(long gcHeapKiB, long gcCommittedKiB, long gcLiveKiB, long rssKiB, int vms, int gen0);

    [LoggerMessage(EventId = AgentEventIds.HeartbeatFailed, Level = LogLevel.Error, Message = "Heartbeat to {Store} failed at sequence {Sequence}: {Error}")]
    private partial void LogHeartbeatFailed(string store, long sequence, string error);

    [LoggerMessage(EventId = AgentEventIds.HeartbeatFailed, Level = LogLevel.Error, Message = "The {Kind} heartbeat failed unexpectedly; it goes on at the next tick")]
    private partial void LogHeartbeatActivityFailed(string kind, Exception error);

    [LoggerMessage(EventId = AgentEventIds.HeartbeatRecovered, Level = LogLevel.Warning, Message = "Heartbeat to {Store} works again at sequence {Sequence}")]
    private partial void LogHeartbeatRecovered(string store, long sequence);
}
