using HaAgent.Agent.State;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.SelfFence;

/// <summary>
/// One check per tick (<see cref="CheckOnceAsync"/>): with coordinator contact fresh, kick the watchdog; once contact
/// is older than the self-fence timeout, self-fence once for this outage, and keep kicking only if every HA VM was
/// proven dead — otherwise the kicks stop and the watchdog resets the host. When contact returns the records stay
/// pending in the state file until a coordinator acknowledges them.
/// </summary>
internal sealed partial class SelfFenceMonitor
{
    private readonly CoordinatorContact _contact;
    private readonly SelfFencer _fencer;
    private readonly IWatchdog? _watchdog;
    private readonly AgentStateStore _state;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _kickInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action? _onSelfFencing;
    private volatile bool _fencing;
    private DateTimeOffset _lastKick = DateTimeOffset.MinValue;
    private bool _fencedThisOutage;
    private bool _kickAfterFence;

    public SelfFenceMonitor(
        CoordinatorContact contact,
        SelfFencer fencer,
        IWatchdog? watchdog,
        AgentStateStore state,
        TimeSpan timeout,
        TimeSpan kickInterval,
        TimeProvider time,
        ILogger<SelfFenceMonitor> logger,
        Action? onSelfFencing = null)
    {
        _onSelfFencing = onSelfFencing;
        _contact = contact;
        _fencer = fencer;
        _watchdog = watchdog;
        _state = state;
        _timeout = timeout;
        _kickInterval = kickInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// True while a self-fence runs, and after it for as long as the coordinator stays silent. Contact ends it at once
    /// (not at the next check): from then on the persisted self-fence record refuses starts until an unfence.
    /// </summary>
    public bool IsSelfFenced => _fencing || (_fencedThisOutage && _contact.SinceLastContact >= _timeout);

    /// <summary>Self-fences to report to the coordinator (they survive restarts).</summary>
    public IReadOnlyList<SelfFenceRecord> PendingReports => _state.Current.PendingSelfFences;

    /// <summary>How often <see cref="RunAsync"/> checks: often enough to act within a tenth of the timeout and to kick in time.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks,
        Math.Min(Math.Min(_timeout.Ticks / 10, _kickInterval.Ticks / 2), TimeSpan.FromSeconds(1).Ticks)));

    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        var silence = _contact.SinceLastContact;
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

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, _time);
        try
        {
            do
            {
                await CheckOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
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

    private void Kick()
    {
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
}
