using System.Diagnostics;
using System.Threading.Channels;
using HaAgent.NativeInterop;
using HaAgent.NativeInterop.Libvirt;
using HaAgent.NativeInterop.Processes;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Vms;

/// <summary>
/// Keeps the table of this host's HA-managed VMs from three sources, applied one at a time on one loop: libvirt
/// lifecycle events, QEMU pidfds (an exit is seen as soon as the process dies, before libvirt notices the reap), a
/// periodic full re-list, a /proc probe that reports a stopped (SIGSTOP) QEMU as hung — libvirt keeps calling it
/// running — and a bounded monitor probe that reports a QEMU whose monitor stops answering as hung (see
/// VmWatcher.Monitor.cs). Every status change is published once to <see cref="Changes"/>.
/// </summary>
internal sealed partial class VmWatcher : IAsyncDisposable
{
    private readonly VmWatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly QemuProcessLocator _locator;
    private readonly ProcessExitMonitor _exits = new();
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<VmChange> _changes = Channel.CreateUnbounded<VmChange>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Dictionary<Guid, Track> _table = [];
    private readonly Lock _tableGate = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly BlockingCallPool? _monitorCalls;
    private readonly BlockingCallPool? _controlCalls;
    private static readonly TimeSpan SlowInput = TimeSpan.FromMilliseconds(500);
    private LibvirtConnection? _connection;
    private int _listing;
    private long _inputSeq;
    private int _connections;

    /// <summary>VMs with a QEMU pidfd: the only ones the probe tick has work for.</summary>
    private int _attached;
    private readonly Lock _tickGate = new();
    private PeriodicTimer? _tickTimer;
    private TimeSpan _tickPeriod;
    private long _lastReconcileTick;
    private long _listings;

    /// <summary>VMs an Undefined event removed, with its sequence number, until a listing begun after it is applied.</summary>
    private readonly Dictionary<Guid, long> _removedAt = [];

    public VmWatcher(VmWatcherOptions options, TimeProvider time, ILogger<VmWatcher> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _locator = new QemuProcessLocator(options.QemuPidDirectory);
        if (options.MonitorProbeInterval is not null)
        {
            _monitorCalls = new BlockingCallPool(Math.Max(1, options.MaxOutstandingMonitorProbes), "qemu-monitor-probe", TimeSpan.FromSeconds(30), DropThreadConnection);
            // Control info never waits for QEMU, only for libvirtd: two threads cover it even when probes are stuck.
            _controlCalls = new BlockingCallPool(2, "qemu-control-info", TimeSpan.FromSeconds(30), DropThreadConnection);
        }
    }

    public ChannelReader<VmChange> Changes => _changes.Reader;

    /// <summary>What this watcher was built with (tests: the agent's configuration reaches it).</summary>
    internal VmWatcherOptions Options => _options;

    /// <summary>Completes after the first full reconcile.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Full listings applied so far (tests and diagnostics).</summary>
    public long Listings => Interlocked.Read(ref _listings);

    /// <summary>The probe tick's current period: the probe interval while a QEMU is attached, else up to the re-list interval.</summary>
    internal TimeSpan TickPeriod
    {
        get
        {
            lock (_tickGate)
            {
                return _tickPeriod;
            }
        }
    }

    /// <summary>The current connection (null while disconnected); self-fence destroys domains through it.</summary>
    public LibvirtConnection? Connection => Volatile.Read(ref _connection);

    public IReadOnlyList<VmEntry> Snapshot()
    {
        lock (_tableGate)
        {
            return [.. _table.Values.Select(t => t.ToEntry())];
        }
    }

    /// <summary>The agent itself is stopping this VM: its QEMU exiting is a stop, not a crash.</summary>
    public void ExpectStop(Guid uuid)
    {
        lock (_tableGate)
        {
            if (_table.TryGetValue(uuid, out var track))
            {
                track.ExpectingStop = true;
            }
        }
    }

    /// <summary>
    /// Changes whenever the VM's definition may have changed: a libvirt Defined event for it (define or update), or a
    /// new connection (events may have been missed). -1 for a VM not in the table. Readers of the XML can skip an
    /// unchanged version instead of fetching every definition again.
    /// </summary>
    public long DefinitionVersion(Guid uuid)
    {
        lock (_tableGate)
        {
            return _table.TryGetValue(uuid, out var track) ? ((long)Volatile.Read(ref _connections) << 32) | (uint)track.DefinedEvents : -1;
        }
    }

    /// <summary>The pidfd of a VM's QEMU, while the watcher holds one (self-fence SIGKILLs through it).</summary>
    public PidFd? QemuHandle(Guid uuid)
    {
        lock (_tableGate)
        {
            return _table.TryGetValue(uuid, out var track) ? track.Process : null;
        }
    }

    /// <summary>Runs until cancelled: connects (again after a loss), subscribes, reconciles, and applies inputs.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var forwardExits = ForwardExitsAsync(cancellationToken);
        var ticks = TickAsync(cancellationToken);
        var loop = ApplyLoopAsync(cancellationToken);
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var connection = await LibvirtConnection.OpenAsync(_options.Uri, _options.OpenTimeout, cancellationToken).ConfigureAwait(false);
                using var events = connection.SubscribeLifecycleEvents();
                Volatile.Write(ref _connection, connection);
                Interlocked.Increment(ref _connections);
                await _inputs.Writer.WriteAsync(new Input(InputKind.Reconcile, default, default, Stopwatch.GetTimestamp()), cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(200);
                await foreach (var lifecycleEvent in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    _inputs.Writer.TryWrite(new Input(InputKind.Lifecycle, lifecycleEvent, default, Stopwatch.GetTimestamp()));
                }
                // The reader completed: the connection closed under us.
                LogWatchFailed(_options.Uri, $"connection closed ({(connection.Closed.IsCompleted ? connection.Closed.Result : "?")})");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is LibvirtException or TimeoutException or ObjectDisposedException)
            {
                LogWatchFailed(_options.Uri, e.Message);
            }
            finally
            {
                Volatile.Write(ref _connection, null);
            }
            try
            {
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
        _inputs.Writer.TryComplete();
        await Task.WhenAll(forwardExits, ticks, loop).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _inputs.Writer.TryComplete();
        _exits.Dispose();
        _monitorCalls?.Dispose();
        _controlCalls?.Dispose();
        lock (_tableGate)
        {
            foreach (var track in _table.Values)
            {
                track.Process?.Dispose();
            }
            _table.Clear();
        }
        _changes.Writer.TryComplete();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task ForwardExitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var exit in _exits.Exits.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                _inputs.Writer.TryWrite(new Input(InputKind.ProcessExit, default, exit, exit.Timestamp));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The probe and re-list tick. The /proc and monitor probes only look at VMs with an attached QEMU, so while there
    /// is none (a host without HA VMs running, or test-driver domains) the tick comes only for the re-list, every
    /// <see cref="VmWatcherOptions.ReconcileInterval"/>; the first attached QEMU brings it back to
    /// <see cref="VmWatcherOptions.ProbeInterval"/> at once (<see cref="UpdateTickPeriod"/>).
    /// </summary>
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var timer = new PeriodicTimer(_options.ReconcileInterval, _time);
        lock (_tickGate)
        {
            _tickTimer = timer;
            _tickPeriod = _options.ReconcileInterval;
            _lastReconcileTick = _time.GetTimestamp();
        }
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                bool reconcile;
                lock (_tickGate)
                {
                    // A tick that comes a little early still counts: the timer jitters.
                    reconcile = _time.GetElapsedTime(_lastReconcileTick) >= _options.ReconcileInterval - (_options.ProbeInterval / 2);
                    if (reconcile)
                    {
                        _lastReconcileTick = _time.GetTimestamp();
                    }
                }
                _inputs.Writer.TryWrite(new Input(reconcile ? InputKind.Reconcile : InputKind.Probe, default, default, Stopwatch.GetTimestamp()));
                UpdateTickPeriod();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_tickGate)
            {
                _tickTimer = null;
                timer.Dispose();
            }
        }
    }

    /// <summary>
    /// The probe interval while some QEMU is attached; otherwise whatever is left until the next re-list (so the re-list
    /// keeps its cadence when the last QEMU goes). Called by the tick and by the apply loop when the first QEMU is
    /// attached or the last one detached.
    /// </summary>
    private void UpdateTickPeriod()
    {
        lock (_tickGate)
        {
            if (_tickTimer is null)
            {
                return;
            }
            var want = _options.ProbeInterval;
            if (Volatile.Read(ref _attached) == 0)
            {
                var left = _options.ReconcileInterval - _time.GetElapsedTime(_lastReconcileTick);
                want = left > want ? left : want;
            }
            if (want != _tickPeriod)
            {
                _tickTimer.Period = want;
                _tickPeriod = want;
            }
        }
    }

    private async Task ApplyLoopAsync(CancellationToken cancellationToken)
    {
        var probing = false;
        try
        {
            await foreach (var input in _inputs.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var applyStarted = Stopwatch.GetTimestamp();
                try
                {
                    switch (input.Kind)
                    {
                        case InputKind.Lifecycle:
                            ApplyEvent(input.Event, input.Timestamp);
                            break;
                        case InputKind.ProcessExit:
                            ApplyExit(input.Exit);
                            break;
                        case InputKind.Probe:
                            Probe(input.Timestamp);
                            break;
                        case InputKind.Reconcile:
                            StartListing(input.Timestamp);
                            Probe(input.Timestamp);
                            break;
                        case InputKind.Listed:
                            Reconcile(input.Listing!, input.Timestamp);
                            break;
                        case InputKind.MonitorDeadline:
                            ApplyMonitorDeadline(input.Monitor);
                            break;
                        case InputKind.MonitorControl:
                            ApplyMonitorControl(input.Monitor, input.Timestamp);
                            break;
                        case InputKind.MonitorAnswer:
                            ApplyMonitorAnswer(input.Monitor, input.Timestamp);
                            break;
                    }
                }
                catch (Exception e) when (e is LibvirtException or ObjectDisposedException or ErrnoException or IOException)
                {
                    LogWatchFailed(_options.Uri, $"{input.Kind}: {e.Message}");
                }
                if (probing != Volatile.Read(ref _attached) > 0)
                {
                    probing = !probing;
                    UpdateTickPeriod();
                }
                var applyTook = Stopwatch.GetElapsedTime(applyStarted);
                if (applyTook > SlowInput)
                {
                    LogSlowInput(input.Kind.ToString(), applyTook.TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool IsManaged(string name) => name.StartsWith(_options.ManagedDomainPrefix, StringComparison.Ordinal);

    private void ApplyEvent(DomainLifecycleEvent e, long timestamp)
    {
        if (!IsManaged(e.DomainName))
        {
            return;
        }
        var track = GetOrAdd(e.DomainName, e.DomainUuid);
        track.InputSeq = ++_inputSeq;
        var reason = e.Describe();
        switch (e.Type)
        {
            case DomainEventType.Started:
            case DomainEventType.Resumed:
                track.ExpectingStop = false;
                _locator.Invalidate();
                Attach(track);
                if (track.Status != VmStatus.Hung)
                {
                    Set(track, VmStatus.Running, VmChangeSource.LifecycleEvent, reason, timestamp);
                }
                break;
            case DomainEventType.Suspended:
            case DomainEventType.PMSuspended:
                Set(track, VmStatus.Paused, VmChangeSource.LifecycleEvent, reason, timestamp);
                break;
            case DomainEventType.Stopped:
                var crashed = e.StoppedDetail is DomainEventStoppedDetail.Failed or DomainEventStoppedDetail.Crashed;
                Detach(track);
                // A pidfd may already have reported the exit as a crash; libvirt then says whether it was one.
                Set(track, crashed ? VmStatus.Crashed : VmStatus.Stopped, VmChangeSource.LifecycleEvent, reason, timestamp);
                track.ExpectingStop = false;
                break;
            case DomainEventType.Crashed:
                Set(track, VmStatus.Crashed, VmChangeSource.LifecycleEvent, reason, timestamp);
                break;
            case DomainEventType.Undefined:
                Detach(track);
                Set(track, VmStatus.Stopped, VmChangeSource.LifecycleEvent, reason, timestamp);
                lock (_tableGate)
                {
                    _table.Remove(track.Uuid);
                }
                _removedAt[track.Uuid] = track.InputSeq;
                break;
            case DomainEventType.Defined:
                lock (_tableGate)
                {
                    track.DefinedEvents++;
                }
                break;
            default:
                // Shutdown (a Stopped follows): nothing changes yet.
                break;
        }
    }

    private void ApplyExit(ProcessExited exit)
    {
        Track? owner;
        lock (_tableGate)
        {
            owner = _table.Values.FirstOrDefault(t => ReferenceEquals(t.Process, exit.Handle));
        }
        if (owner is null)
        {
            exit.Handle.Dispose();
            return;
        }
        owner.InputSeq = ++_inputSeq;
        var expected = owner.ExpectingStop;
        Detach(owner);
        Set(owner, expected ? VmStatus.Stopped : VmStatus.Crashed, VmChangeSource.ProcessExit,
            $"QEMU pid {exit.Pid} exited{(expected ? " (stop requested by the agent)" : "")}", exit.Timestamp);
    }

    /// <summary>
    /// Lists every domain (one libvirt call per domain for its state) off the loop: while libvirt is slow — it holds a
    /// domain being destroyed until QEMU is reaped, 0.6–2 s here — events and pidfd exits keep being applied. The
    /// listing comes back as a <see cref="InputKind.Listed"/> input; one listing at a time.
    /// </summary>
    private void StartListing(long timestamp)
    {
        var connection = Connection;
        if (connection is null || Interlocked.Exchange(ref _listing, 1) == 1)
        {
            return;
        }
        var since = _inputSeq;
        _ = Task.Run(() =>
        {
            try
            {
                var listed = connection.ListAllDomains().Where(d => IsManaged(d.Name)).ToArray();
                _inputs.Writer.TryWrite(new Input(InputKind.Listed, default, default, timestamp, Listing: new Listing(listed, since)));
            }
            catch (Exception e) when (e is LibvirtException or ObjectDisposedException)
            {
                LogWatchFailed(_options.Uri, $"{InputKind.Reconcile}: {e.Message}");
            }
            finally
            {
                Volatile.Write(ref _listing, 0);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Applies a listing. A VM an event or exit was applied to after the listing began is left alone: the listing may
    /// predate that change (a Running listed before a destroy's Stopped event must not undo it).
    /// </summary>
    private void Reconcile(Listing listing, long timestamp)
    {
        _locator.Invalidate();
        var seen = new HashSet<Guid>();
        foreach (var domain in listing.Domains)
        {
            seen.Add(domain.Uuid);
            if (_removedAt.TryGetValue(domain.Uuid, out var removed) && removed > listing.Since)
            {
                continue; // undefined after the listing began
            }
            var track = GetOrAdd(domain.Name, domain.Uuid);
            if (track.InputSeq > listing.Since)
            {
                continue;
            }
            switch (domain.State)
            {
                case DomainState.Running or DomainState.Blocked or DomainState.ShuttingDown or DomainState.Paused or DomainState.PMSuspended:
                    var libvirtSays = domain.State is DomainState.Paused or DomainState.PMSuspended ? VmStatus.Paused : VmStatus.Running;
                    if (track.Status == VmStatus.Crashed && track.Process is null)
                    {
                        // Our pidfd saw QEMU die; libvirt has not noticed the reap yet. Believe it only if a live QEMU is there.
                        AttachListed(track, domain.Id);
                        if (track.Process is null)
                        {
                            break;
                        }
                    }
                    AttachListed(track, domain.Id);
                    if (track.Status != VmStatus.Hung)
                    {
                        Set(track, libvirtSays, VmChangeSource.Reconcile, $"libvirt: {domain.State}", timestamp);
                    }
                    break;
                case DomainState.Crashed:
                    Set(track, VmStatus.Crashed, VmChangeSource.Reconcile, "libvirt: crashed", timestamp);
                    break;
                default:
                    Detach(track);
                    Set(track, domain.ShutoffReason is DomainShutoffReason.Crashed ? VmStatus.Crashed : VmStatus.Stopped,
                        VmChangeSource.Reconcile, $"libvirt: {domain.State}/{domain.ShutoffReason}", timestamp);
                    break;
            }
        }
        List<Track> gone;
        lock (_tableGate)
        {
            gone = [.. _table.Values.Where(t => !seen.Contains(t.Uuid) && t.InputSeq <= listing.Since)];
        }
        foreach (var track in gone)
        {
            Detach(track);
            Set(track, VmStatus.Stopped, VmChangeSource.Reconcile, "no longer defined", timestamp);
            lock (_tableGate)
            {
                _table.Remove(track.Uuid);
            }
        }
        foreach (var uuid in _removedAt.Where(r => r.Value <= listing.Since).Select(r => r.Key).ToArray())
        {
            _removedAt.Remove(uuid);
        }
        Interlocked.Increment(ref _listings);
        _ready.TrySetResult();
    }

    private void Probe(long timestamp)
    {
        Track[] live;
        lock (_tableGate)
        {
            live = [.. _table.Values.Where(t => t.Process is not null && t.Status is VmStatus.Running or VmStatus.Hung or VmStatus.Paused)];
        }
        foreach (var track in live)
        {
            var state = ProcStat.ReadState(track.Process!.Pid);
            if (ProcStat.IsDead(state))
            {
                continue; // the pidfd reports it
            }
            track.ProcStopped = ProcStat.IsStopped(state!.Value);
            if (track.ProcStopped)
            {
                Set(track, VmStatus.Hung, VmChangeSource.ProcessProbe, $"QEMU pid {track.Process.Pid} is stopped (state {state})", timestamp);
            }
            else if (track.Status == VmStatus.Hung && !track.MonitorSilent)
            {
                Set(track, VmStatus.Running, VmChangeSource.ProcessProbe, $"QEMU pid {track.Process.Pid} runs again (state {state})", timestamp);
            }
        }
        StartMonitorProbes(live);
    }

    private Track GetOrAdd(string name, Guid uuid)
    {
        lock (_tableGate)
        {
            if (!_table.TryGetValue(uuid, out var track))
            {
                track = new Track(name, uuid, _time.GetUtcNow());
                _table[uuid] = track;
            }
            return track;
        }
    }

    private void Attach(Track track)
    {
        if (track.Process is not null && !track.Process.HasExited)
        {
            return;
        }
        var pid = _locator.Find(track.Name, track.Uuid);
        if (pid is null)
        {
            return; // test driver domains, or QEMU not found: libvirt state only
        }
        try
        {
            var handle = PidFd.Open(pid.Value);
            Detach(track);
            track.Process = handle;
            Interlocked.Increment(ref _attached);
            _exits.Watch(handle);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ESRCH)
        {
            // Exited between the lookup and the open: the next event or reconcile tells.
        }
    }

    /// <summary>
    /// <see cref="Attach"/> for a listed running domain, searching /proc at most once per run of the domain (its libvirt
    /// id changes on every start): a domain without a findable QEMU (test driver) must not cost a /proc scan per listing.
    /// </summary>
    private void AttachListed(Track track, int? domainId)
    {
        if (track.Process is null && domainId is { } id && track.QemuMissingForDomainId == id)
        {
            return;
        }
        Attach(track);
        track.QemuMissingForDomainId = track.Process is null ? domainId : null;
    }

    private void Detach(Track track)
    {
        var process = track.Process;
        if (process is null)
        {
            return;
        }
        track.Process = null;
        Interlocked.Decrement(ref _attached);
        // Whatever the old QEMU's probe says when it returns is about a process that is gone.
        track.ProbeId = 0;
        track.ControlCheckPending = false;
        track.ProcStopped = false;
        track.MonitorSilent = false;
        _exits.Unwatch(process);
        process.Dispose();
    }

    private void Set(Track track, VmStatus status, VmChangeSource source, string reason, long inputTimestamp)
    {
        if (track.Status == status)
        {
            return;
        }
        var previous = track.Status;
        var now = _time.GetUtcNow();
        lock (_tableGate)
        {
            track.Status = status;
            track.Since = now;
            track.Reason = reason;
        }
        var change = new VmChange(track.Name, track.Uuid, previous, status, source, reason, track.Process?.Pid, now, inputTimestamp, Stopwatch.GetTimestamp());
        _changes.Writer.TryWrite(change);
        LogStatusChange(track.Name, previous, status, source, reason);
    }

    private enum InputKind
    {
        Lifecycle,
        ProcessExit,
        Probe,
        Reconcile,
        MonitorDeadline,
        MonitorControl,
        MonitorAnswer,
        Listed,
    }

    private readonly record struct Input(
        InputKind Kind, DomainLifecycleEvent Event, ProcessExited Exit, long Timestamp, MonitorInput Monitor = default, Listing? Listing = null);

    /// <summary>A full listing and the input sequence number when it began.</summary>
    private sealed record Listing(DomainInfo[] Domains, long Since);

    private sealed class Track(string name, Guid uuid, DateTimeOffset since)
    {
        public string Name { get; } = name;

        public Guid Uuid { get; } = uuid;

        public VmStatus Status { get; set; } = VmStatus.Unknown;

        public DateTimeOffset Since { get; set; } = since;

        public string Reason { get; set; } = "not yet seen";

        public PidFd? Process { get; set; }

        public bool ExpectingStop { get; set; }

        /// <summary>Defined events seen for this VM (its XML was defined or updated).</summary>
        public int DefinedEvents { get; set; }

        /// <summary>The libvirt domain id of the run for which no QEMU was found (null: none searched in vain).</summary>
        public int? QemuMissingForDomainId { get; set; }

        /// <summary>Sequence number of the last event or exit applied to this VM (0: none): a listing begun before it is older news.</summary>
        public long InputSeq { get; set; }

        /// <summary>/proc showed the QEMU stopped (T/t) at the last probe.</summary>
        public bool ProcStopped { get; set; }

        /// <summary>The monitor left a probe unanswered past the timeout and has not answered since.</summary>
        public bool MonitorSilent { get; set; }

        /// <summary>The outstanding monitor probe (0: none).</summary>
        public long ProbeId { get; set; }

        /// <summary>When the last monitor probe was started (TimeProvider timestamp; 0: never).</summary>
        public long LastProbeStart { get; set; }

        public bool ControlCheckPending { get; set; }

        public VmEntry ToEntry() => new(Name, Uuid, Status, Process?.Pid, Since, Reason);
    }

    [LoggerMessage(EventId = AgentEventIds.VmChanged, Level = LogLevel.Information, Message = "VM {Name}: status change {Previous} => {Current} ({Source}: {Reason})")]
    private partial void LogStatusChange(string name, VmStatus previous, VmStatus current, VmChangeSource source, string reason);

    [LoggerMessage(EventId = AgentEventIds.VmWatchSlow, Level = LogLevel.Warning, Message = "VM watch: applying {Kind} took {TookMs:F0} ms; events wait meanwhile")]
    private partial void LogSlowInput(string kind, double tookMs);

    [LoggerMessage(EventId = AgentEventIds.VmWatchFailed, Level = LogLevel.Warning, Message = "VM watch on {Uri}: {Problem}")]
    private partial void LogWatchFailed(string uri, string problem);
}
