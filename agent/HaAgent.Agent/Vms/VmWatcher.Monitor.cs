using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HaAgent.NativeInterop.Libvirt;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Vms;

/// <summary>
/// The monitor probe: "QEMU's monitor does not answer in time" is hung, whatever /proc says (a cgroup-frozen QEMU
/// shows 'S' there, like a healthy idle one). Each live VM's monitor is asked <c>query-status</c> at most every
/// <see cref="VmWatcherOptions.MonitorProbeInterval"/>, one outstanding probe per VM, on <see cref="BlockingCallPool"/>
/// threads: libvirt gives that call no timeout, and a frozen QEMU must not freeze the watcher. While a probe is
/// outstanding a deadline fires every <see cref="VmWatcherOptions.MonitorTimeout"/>; the verdict then comes from
/// virDomainGetControlInfo, which libvirt answers from its own bookkeeping without touching QEMU: "occupied" for that
/// long means a command sits in the monitor unanswered (hung), "job" means our probe waits behind another libvirt job
/// (no verdict). The answer, whenever it finally comes, clears the verdict.
/// </summary>
internal sealed partial class VmWatcher
{
    private const string QueryStatus = """{"execute":"query-status"}""";
    [ThreadStatic]
    private static LibvirtConnection? _threadConnection;
    private long _lastProbeId;
    private long _monitorAnswers;

    /// <summary>Monitor probes QEMU has answered so far (tests and the footprint report use it).</summary>
    public long MonitorAnswers => Interlocked.Read(ref _monitorAnswers);

    private bool MonitorProbing => _monitorCalls is not null;

    /// <summary>On each probe tick: starts a monitor probe for every live VM due for one and without one outstanding.</summary>
    private void StartMonitorProbes(Track[] live)
    {
        if (!MonitorProbing || Connection is null)
        {
            return;
        }
        // A tick that comes a little early still counts: ticks and probes share one clock, the timer jitters.
        var due = _options.MonitorProbeInterval!.Value - (_options.ProbeInterval / 2);
        var now = _time.GetTimestamp();
        foreach (var track in live)
        {
            if (track.ProbeId != 0 || track.Status is not (VmStatus.Running or VmStatus.Hung or VmStatus.Paused)
                || (track.LastProbeStart != 0 && _time.GetElapsedTime(track.LastProbeStart, now) < due))
            {
                continue;
            }
            var id = ++_lastProbeId;
            var uuid = track.Uuid;
            track.ProbeId = id;
            track.LastProbeStart = now;
            if (!_monitorCalls!.TryRun(() => RunMonitorProbe(uuid, id)))
            {
                track.ProbeId = 0;
            }
            LogMonitorTrace(track.Name, id, "started");
        }
    }

    /// <summary>On a pool thread: the blocking query-status, with a repeating deadline while it is outstanding.</summary>
    private void RunMonitorProbe(Guid uuid, long id)
    {
        var started = Stopwatch.GetTimestamp();
        ITimer? deadline = null;
        MonitorInput result;
        try
        {
            using var domain = ThreadConnection().LookupByUuid(uuid);
            deadline = _time.CreateTimer(
                _ => _inputs.Writer.TryWrite(new Input(InputKind.MonitorDeadline, default, default, Stopwatch.GetTimestamp(),
                    new MonitorInput(uuid, id, MonitorOutcome.Pending, started, null, default))),
                null, _options.MonitorTimeout, _options.MonitorTimeout);
            var reply = domain.QemuMonitorCommand(QueryStatus);
            result = new MonitorInput(uuid, id, MonitorOutcome.Answered, started, QmpStatus(reply), default);
        }
        catch (Exception e)
        {
            // Whatever failed (connection gone, domain gone, libvirt's job wait timed out), it is no answer from QEMU:
            // the next probe decides. Nothing may escape a pool thread.
            result = new MonitorInput(uuid, id, MonitorOutcome.Failed, started, e.Message, default);
            if (e is LibvirtException { Code: not LibvirtErrorCode.NoDomain and not LibvirtErrorCode.OperationInvalid })
            {
                DropThreadConnection(); // libvirtd restarted or the link broke: the next probe on this thread reconnects
            }
        }
        finally
        {
            deadline?.Dispose();
        }
        _inputs.Writer.TryWrite(new Input(InputKind.MonitorAnswer, default, default, Stopwatch.GetTimestamp(), result));
    }

    /// <summary>
    /// The connection of the calling pool thread: every probe and control-check thread has its own, none is the
    /// watcher's. While a query-status waits on a frozen QEMU, other calls on the same connection can stall behind it
    /// until the thaw (seen here, intermittently: the watcher's re-list, and a control check on the probe's connection),
    /// so a stuck probe must share its connection with nothing. Closed when the thread exits.
    /// </summary>
    private LibvirtConnection ThreadConnection() => _threadConnection ??= LibvirtConnection.Open(_options.Uri);

    private static void DropThreadConnection()
    {
        var connection = _threadConnection;
        _threadConnection = null;
        connection?.Dispose();
    }

    /// <summary>On the apply loop: the probe is still outstanding after another timeout; ask libvirt what the monitor does.</summary>
    private void ApplyMonitorDeadline(MonitorInput input)
    {
        var track = ProbedTrack(input);
        if (track is not null && !track.MonitorSilent && track.ControlCheckPending
            && Stopwatch.GetElapsedTime(input.Started) >= _options.MonitorTimeout * 3)
        {
            // libvirt has not answered the control check either for two more timeouts: no judge left but the clock.
            track.MonitorSilent = true;
            Set(track, VmStatus.Hung, VmChangeSource.MonitorProbe,
                $"QEMU monitor has not answered query-status for {Stopwatch.GetElapsedTime(input.Started).TotalMilliseconds:F0} ms (libvirt's control info did not answer either)",
                Stopwatch.GetTimestamp());
            return;
        }
        if (track is null || track.MonitorSilent || track.ControlCheckPending || Connection is null)
        {
            if (track is not null)
            {
                LogMonitorDeadline(track.Name, Stopwatch.GetElapsedTime(input.Started).TotalMilliseconds, track.MonitorSilent, track.ControlCheckPending);
            }
            return;
        }
        track.ControlCheckPending = true;
        var uuid = track.Uuid;
        var started = input.Started;
        var queued = _controlCalls!.TryRun(() =>
        {
            MonitorInput result;
            try
            {
                using var domain = ThreadConnection().LookupByUuid(uuid);
                result = new MonitorInput(uuid, input.ProbeId, MonitorOutcome.Control, started, null, domain.GetControlInfo());
            }
            catch (Exception e)
            {
                result = new MonitorInput(uuid, input.ProbeId, MonitorOutcome.Failed, started, e.Message, default);
                if (e is LibvirtException { Code: not LibvirtErrorCode.NoDomain and not LibvirtErrorCode.OperationInvalid })
                {
                    DropThreadConnection();
                }
            }
            _inputs.Writer.TryWrite(new Input(InputKind.MonitorControl, default, default, Stopwatch.GetTimestamp(), result));
        });
        if (!queued)
        {
            track.ControlCheckPending = false;
        }
    }

    /// <summary>On the apply loop: libvirt's control info for a VM whose probe is overdue.</summary>
    private void ApplyMonitorControl(MonitorInput input, long timestamp)
    {
        var track = ProbedTrack(input);
        if (track is null)
        {
            return;
        }
        track.ControlCheckPending = false;
        if (input.Outcome != MonitorOutcome.Control)
        {
            return; // libvirt could not say (domain gone, connection lost): events and the next probe decide
        }
        var waited = Stopwatch.GetElapsedTime(input.Started);
        var control = input.Control;
        // Occupied for most of the wait: the command is inside the monitor, QEMU reads nothing. (Occupied only briefly
        // means our probe just got in after waiting behind another job: not yet a verdict.)
        var silent = control.State == DomainControlState.Occupied && control.StateTime >= _options.MonitorTimeout / 2;
        var broken = control.State == DomainControlState.Error;
        if (!silent && !broken)
        {
            LogMonitorWaiting(track.Name, waited.TotalMilliseconds, control.State);
            return;
        }
        track.MonitorSilent = true;
        var reason = broken
            ? $"QEMU monitor unusable (libvirt control state error/{control.ErrorReason}); query-status unanswered for {waited.TotalMilliseconds:F0} ms"
            : $"QEMU monitor has not answered query-status for {waited.TotalMilliseconds:F0} ms (libvirt: occupied for {control.StateTime.TotalMilliseconds:F0} ms)";
        Set(track, VmStatus.Hung, VmChangeSource.MonitorProbe, reason, timestamp);
    }

    /// <summary>On the apply loop: the probe returned (an answer, however late, or a failure).</summary>
    private void ApplyMonitorAnswer(MonitorInput input, long timestamp)
    {
        var track = ProbedTrack(input);
        if (track is null)
        {
            return;
        }
        track.ProbeId = 0;
        track.ControlCheckPending = false;
        var took = Stopwatch.GetElapsedTime(input.Started, timestamp);
        if (input.Outcome != MonitorOutcome.Answered)
        {
            LogMonitorProbeFailed(track.Name, took.TotalMilliseconds, input.Detail ?? "");
            return;
        }
        Interlocked.Increment(ref _monitorAnswers);
        LogMonitorTrace(track.Name, input.ProbeId, $"answered in {took.TotalMilliseconds:F1} ms: {input.Detail}");
        if (!track.MonitorSilent)
        {
            return;
        }
        track.MonitorSilent = false;
        if (track.Status == VmStatus.Hung && !track.ProcStopped)
        {
            Set(track, VmStatus.Running, VmChangeSource.MonitorProbe,
                $"QEMU monitor answered again after {took.TotalMilliseconds:F0} ms (status {input.Detail})", timestamp);
        }
    }

    /// <summary>The track this result is about, if the probe is still the current one (a detach or restart forgets it).</summary>
    private Track? ProbedTrack(MonitorInput input)
    {
        lock (_tableGate)
        {
            return _table.TryGetValue(input.Uuid, out var track) && track.ProbeId == input.ProbeId ? track : null;
        }
    }

    /// <summary>The "status" of a query-status reply ("running", "paused", "internal-error"...), or the raw reply.</summary>
    private static string QmpStatus(string reply)
    {
        try
        {
            using var document = JsonDocument.Parse(reply);
            return document.RootElement.TryGetProperty("return", out var result) && result.TryGetProperty("status", out var status)
                ? status.GetString() ?? reply
                : reply;
        }
        catch (JsonException)
        {
            return reply;
        }
    }

    private enum MonitorOutcome
    {
        Pending,
        Answered,
        Failed,
        Control,
    }

    /// <summary>A monitor probe's progress, posted from a pool thread (or its deadline timer) to the apply loop.</summary>
    private readonly record struct MonitorInput(Guid Uuid, long ProbeId, MonitorOutcome Outcome, long Started, string? Detail, DomainControlInfo Control);

    [LoggerMessage(EventId = AgentEventIds.VmMonitorWaiting, Level = LogLevel.Debug, Message = "VM {Name}: query-status outstanding for {WaitedMs:F0} ms, libvirt control state {State}: no verdict yet")]
    private partial void LogMonitorWaiting(string name, double waitedMs, DomainControlState state);

    [LoggerMessage(EventId = AgentEventIds.VmMonitorWaiting, Level = LogLevel.Debug, Message = "VM {Name}: query-status outstanding for {WaitedMs:F0} ms (already hung: {Silent}, control check pending: {Pending})")]
    private partial void LogMonitorDeadline(string name, double waitedMs, bool silent, bool pending);

    [LoggerMessage(EventId = AgentEventIds.VmMonitorProbeTrace, Level = LogLevel.Trace, Message = "VM {Name}: monitor probe {Id} {What}")]
    private partial void LogMonitorTrace(string name, long id, string what);

    [LoggerMessage(EventId = AgentEventIds.VmMonitorProbeFailed, Level = LogLevel.Debug, Message = "VM {Name}: monitor probe failed after {TookMs:F0} ms: {Problem}")]
    private partial void LogMonitorProbeFailed(string name, double tookMs, string problem);
}
