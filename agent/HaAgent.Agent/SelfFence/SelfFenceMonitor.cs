using HaAgent.Agent.State;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.SelfFence;

/// <summary>
/// One check when something is due (<see cref="CheckOnceAsync"/>, scheduled by <see cref="NextCheckIn"/>): with
/// coordinator contact fresh, kick the watchdog; once contact is older than the self-fence timeout, self-fence once for
/// this outage, and keep kicking only if every HA VM was proven dead — otherwise the kicks stop and the watchdog resets the host. When contact returns the records stay
/// pending in the state file until a coordinator acknowledges them. systemd's watchdog (<see cref="SystemdWatchdog"/>)
/// is pinged from the same decision, so it stops exactly when the hardware kicks stop. An agent restarted with a failed
/// self-fence still pending neither kicks nor pings until a coordinator is heard again: a restart (systemd's watchdog
/// or a crash) must not undo the host reset the failed self-fence asked for.
/// While a self-fence runs the check loop waits for it, so systemd is pinged from beside it — but only until the
/// self-fence's own bound (<see cref="SelfFencer.Bound"/>) has passed: a self-fence that hangs (libvirt, the state
/// file's disk, a starved thread pool) lets systemd's watchdog act, as a hung loop would. Without these pings a
/// WatchdogSec shorter than the self-fence would abort it half way (with WatchdogSec=30s: after ~15 s).
/// </summary>
internal sealed partial class SelfFenceMonitor
{
    private readonly CoordinatorContact _contact;
    private readonly SelfFencer _fencer;
    private readonly IWatchdog? _watchdog;
    private readonly SystemdWatchdog? _systemd;
    private readonly AgentStateStore _state;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _kickInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action? _onSelfFencing;
    private readonly TimeSpan _selfFenceBound;
    private volatile bool _fencing;
    private bool _restartedAfterFailedFence;
    private DateTimeOffset _lastKick = DateTimeOffset.MinValue;
    private bool _fencedThisOutage;
    private bool _kickAfterFence;
    private bool _systemdPingFailing;

    public SelfFenceMonitor(
        CoordinatorContact contact,
        SelfFencer fencer,
        IWatchdog? watchdog,
        AgentStateStore state,
        TimeSpan timeout,
        TimeSpan kickInterval,
        TimeProvider time,
        ILogger<SelfFenceMonitor> logger,
        Action? onSelfFencing = null,
        SystemdWatchdog? systemd = null,
        TimeSpan? selfFenceBound = null)
    {
        _selfFenceBound = selfFenceBound ?? fencer.Bound;
        _systemd = systemd;
        _onSelfFencing = onSelfFencing;
        _contact = contact;
        _fencer = fencer;
        _watchdog = watchdog;
        _state = state;
        _timeout = timeout;
        _kickInterval = kickInterval;
        _time = time;
        _logger = logger;
        if (HasFailedSelfFence(state))
        {
            // The startup grace of CoordinatorContact is not contact: only Touch() ends this outage.
            _fencedThisOutage = true;
            _restartedAfterFailedFence = true;
            LogRestartedAfterFailedFence(watchdog?.Name ?? "none");
        }
    }

    /// <summary>
    /// True while a self-fence runs, and after it for as long as the coordinator stays silent. Contact ends it at once
    /// (not at the next check): from then on the persisted self-fence record refuses starts until an unfence.
    /// </summary>
    public bool IsSelfFenced => _fencing || (_fencedThisOutage && _contact.SinceLastContact >= _timeout);

    /// <summary>Self-fences to report to the coordinator (they survive restarts).</summary>
    public IReadOnlyList<SelfFenceRecord> PendingReports => _state.Current.PendingSelfFences;

    /// <summary>
    /// The retry cadence of a failed kick or ping, and how often systemd is pinged during a self-fence: a tenth of the
    /// timeout, half the kick and ping intervals, at most 1 s. Healthy checks are scheduled by deadline (<see cref="NextCheckIn"/>).
    /// </summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks,
        Math.Min(Math.Min(Math.Min(_timeout.Ticks / 10, _kickInterval.Ticks / 2), (_systemd?.PingInterval ?? TimeSpan.MaxValue).Ticks / 2),
            TimeSpan.FromSeconds(1).Ticks)));

    /// <summary>A self-fence that could not prove every HA VM dead is still pending (not acknowledged by a coordinator).</summary>
    internal static bool HasFailedSelfFence(AgentStateStore state) => state.Current.PendingSelfFences.Any(r => r.Failed.Count > 0);

    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        var silence = _contact.SinceLastContact;
        if (_restartedAfterFailedFence)
        {
            if (!_contact.TouchedSinceStart)
            {
                return;
            }
            _restartedAfterFailedFence = false;
        }
        if (silence < _timeout)
        {
            if (_fencedThisOutage)
            {
                _fencedThisOutage = false;
                LogContactBack(PendingReports.Count);
            }
            Kick();
            return;
        }
        if (!_fencedThisOutage)
        {
            _fencedThisOutage = true;
            _fencing = true;
            SelfFenceRecord record;
            using var fenceDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pinger = _systemd is null ? Task.CompletedTask : PingWhileFencingAsync(_time.GetUtcNow() + _selfFenceBound, fenceDone.Token);
            try
            {
                // The order gate refuses starts from now until an unfence succeeds (persisted, survives restarts).
                _onSelfFencing?.Invoke();
                record = await _fencer.ExecuteAsync($"no coordinator contact for {silence.TotalSeconds:F1} s (limit {_timeout.TotalSeconds:F1} s)", cancellationToken)
                    .ConfigureAwait(false);
            }
            finally
            {
                _fencing = false;
                await fenceDone.CancelAsync().ConfigureAwait(false);
                await pinger.ConfigureAwait(false);
            }
            _kickAfterFence = record.Failed.Count == 0;
            if (!_kickAfterFence && _watchdog is not null)
            {
                LogWatchdogStops(_watchdog.Name, string.Join("; ", record.Failed));
            }
        }
        if (_kickAfterFence)
        {
            Kick();
        }
    }

    /// <summary>
    /// Checks when something is due, not on a fixed tick: at the self-fence deadline (last contact + timeout, moved on
    /// by every contact), when the hardware watchdog's kick or systemd's ping is due, and — while self-fenced or after a
    /// restart with a failed self-fence pending — as soon as a coordinator is heard again. A healthy agent without
    /// watchdogs wakes about once per timeout; the self-fence starts at the deadline itself (a 1 s tick added up to 1 s).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
                // Armed before the wait is computed: contact that comes back in between ends the wait at once.
                var contactBack = AwaitingContact ? _contact.NextTouch() : null;
                var wait = NextCheckIn();
                if (wait <= TimeSpan.Zero)
                {
                    continue;
                }
                if (contactBack is null)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(Task.Delay(wait, _time, waiting.Token), contactBack).ConfigureAwait(false);
                await waiting.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            // A clean stop must not reset the host; a crash leaves the watchdog armed.
            _watchdog?.Disarm();
        }
    }

    /// <summary>Out of contact with a decision taken (self-fenced, or restarted with a failed one): only contact changes anything.</summary>
    private bool AwaitingContact => _fencedThisOutage || _restartedAfterFailedFence;

    /// <summary>
    /// How long <see cref="RunAsync"/> may sleep after a check: until the earliest of the self-fence deadline, the next
    /// kick, the next systemd ping (each plus <see cref="DueSlack"/>, so things due within it share one wake-up and a
    /// timer firing a little early still finds them due), at most <see cref="MaxWait"/>. Zero when contact came back
    /// after a self-fence (the next check says so and kicks). A kick or ping that is overdue (it failed) is retried every
    /// <see cref="CheckInterval"/>, as the fixed tick did.
    /// </summary>
    internal TimeSpan NextCheckIn()
    {
        var now = _time.GetUtcNow();
        var silence = _contact.SinceLastContact;
        if (_restartedAfterFailedFence)
        {
            return _contact.TouchedSinceStart ? TimeSpan.Zero : MaxWait;
        }
        var due = MaxWait;
        if (_fencedThisOutage)
        {
            if (silence < _timeout)
            {
                return TimeSpan.Zero;
            }
            if (!_kickAfterFence)
            {
                return MaxWait;
            }
        }
        else
        {
            due = Min(due, Max(_timeout - silence, TimeSpan.Zero) + DueSlack);
        }
        if (_watchdog is not null)
        {
            due = Min(due, Retry(_lastKick + _kickInterval - now));
        }
        if (_systemd is not null)
        {
            due = Min(due, Retry(_systemd.NextPingDue - now));
        }
        return due;

        TimeSpan Retry(TimeSpan until) => until <= TimeSpan.Zero ? CheckInterval : until + DueSlack;
    }

    /// <summary>Things due within this of each other are done in one wake-up.</summary>
    private static readonly TimeSpan DueSlack = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest sleep between two checks: the timeout itself (it is at least 3 heartbeats).</summary>
    private TimeSpan MaxWait => Max(_timeout, CheckInterval);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// Pings systemd while the self-fence runs, up to <paramref name="deadline"/> (its own bound from the start); past
    /// it the pings stop, so systemd's watchdog restarts an agent whose self-fence hangs.
    /// </summary>
    private async Task PingWhileFencingAsync(DateTimeOffset deadline, CancellationToken fenceDone)
    {
        try
        {
            while (true)
            {
                if (_time.GetUtcNow() >= deadline)
                {
                    LogSelfFenceOverdue(_selfFenceBound.TotalSeconds);
                    return;
                }
                PingSystemd();
                await Task.Delay(CheckInterval, _time, fenceDone).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void PingSystemd()
    {
        if (_systemd is null)
        {
            return;
        }
        var sent = _systemd.Ping();
        if (sent == _systemdPingFailing)
        {
            _systemdPingFailing = !sent;
            LogSystemdPing(sent ? "works again" : "failed: systemd will restart the agent if this lasts");
        }
    }

    private void Kick()
    {
        PingSystemd();
        if (_watchdog is null)
        {
            return;
        }
        var now = _time.GetUtcNow();
        if (now - _lastKick < _kickInterval)
        {
            return;
        }
        try
        {
            _watchdog.Kick();
            _lastKick = now;
        }
        catch (IOException e)
        {
            LogWatchdogStops(_watchdog.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = AgentEventIds.SelfFenceContactBack, Level = LogLevel.Warning, Message = "Coordinator contact is back; {Count} self-fence report(s) pending")]
    private partial void LogContactBack(int count);

    [LoggerMessage(EventId = AgentEventIds.WatchdogFailed, Level = LogLevel.Critical, Message = "Watchdog {Name} is no longer kicked ({Why}): the host will reset")]
    private partial void LogWatchdogStops(string name, string why);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceOverdue, Level = LogLevel.Critical,
        Message = "Self-fence still running after its bound of {BoundSeconds:F0} s: systemd watchdog pings stop, systemd will restart the agent")]
    private partial void LogSelfFenceOverdue(double boundSeconds);

    [LoggerMessage(EventId = AgentEventIds.SystemdWatchdogPing, Level = LogLevel.Warning, Message = "systemd watchdog ping {Outcome}")]
    private partial void LogSystemdPing(string outcome);

    [LoggerMessage(EventId = AgentEventIds.RestartedAfterFailedSelfFence, Level = LogLevel.Critical,
        Message = "Started with a failed self-fence pending: watchdog {Name} and systemd are not kicked until a coordinator is heard")]
    private partial void LogRestartedAfterFailedFence(string name);
}
