using System.Diagnostics;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.NativeInterop.Libvirt;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Stops a VM for the coordinator and proves it gone: virDomainDestroy, SIGKILL through QEMU's own pidfd after the
/// grace (<see cref="DomainKiller"/>, the self-fence's path), then libvirt must say shut off. A VM already off or not
/// defined here is a successful no-op. The definition is kept: a later start here redefines it anyway. A stale token
/// is refused; a self-fenced agent still stops (fewer writers is always safe).
/// </summary>
internal sealed partial class VmStopExecutor
{
    private readonly AgentStateStore _state;
    private readonly CommandJournal _journal;
    private readonly VmOrderLocks _locks;
    private readonly Func<CancellationToken, Task<LibvirtConnection>> _connect;
    private readonly VmOrderSettings _settings;
    private readonly Action<Guid>? _expectStop;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="expectStop">Tells the VM watcher the exit is ordered (VmWatcher.ExpectStop), so it reports Stopped, not Crashed.</param>
    public VmStopExecutor(
        AgentStateStore state,
        CommandJournal journal,
        VmOrderLocks locks,
        Func<CancellationToken, Task<LibvirtConnection>> connect,
        VmOrderSettings settings,
        Action<Guid>? expectStop,
        TimeProvider time,
        ILogger<VmStopExecutor> logger)
    {
        _state = state;
        _journal = journal;
        _locks = locks;
        _connect = connect;
        _settings = settings;
        _expectStop = expectStop;
        _time = time;
        _logger = logger;
    }

    public async Task<StopReport> ExecuteAsync(StopCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var run = new Run(command, _time.GetUtcNow(), Stopwatch.GetTimestamp());
        var report = await ExecuteCoreAsync(run, cancellationToken).ConfigureAwait(false);
        if (report.Repeated)
        {
            LogRepeated(command.CommandId, command.VmName, report.Succeeded);
        }
        else if (report.Succeeded)
        {
            LogStopped(command.CommandId, command.VmName, report.WasRunning, report.Killed, report.Elapsed.TotalMilliseconds);
        }
        else
        {
            LogStopFailed(command.CommandId, command.VmName, report.Failure!.ToString(), string.Join("; ", report.Steps));
        }
        return report;
    }

    private async Task<StopReport> ExecuteCoreAsync(Run run, CancellationToken cancellationToken)
    {
        var command = run.Command;
        var steps = run.Steps;
        var at = Stopwatch.GetTimestamp();
        if (string.IsNullOrWhiteSpace(command.CommandId) || string.IsNullOrWhiteSpace(command.VmName) || command.VmUuid == Guid.Empty)
        {
            const string detail = "command id, VM name and UUID are required";
            steps.Add("validate", at, false, detail);
            return run.Report(new(VmOrderFailureKind.InvalidOrder, "validate", detail));
        }
        steps.Add("validate", at, true);

        using var held = await _locks.AcquireAsync(command.VmUuid, cancellationToken).ConfigureAwait(false);
        if (_journal.Find(command.CommandId) is { Finished: true } earlier)
        {
            return earlier.Stop is { } done
                ? done with { Repeated = true }
                : run.Report(new(VmOrderFailureKind.InvalidOrder, "journal", $"command id {command.CommandId} was used by a start order"));
        }

        at = Stopwatch.GetTimestamp();
        if (!_state.TryAdmit(command.Token, out var highest))
        {
            var detail = $"order token {command.Token} is below the highest seen ({highest}): a newer coordinator has spoken";
            steps.Add("token", at, false, detail);
            return run.Report(new(VmOrderFailureKind.StaleToken, "token", detail));
        }
        steps.Add("token", at, true, $"token {command.Token}");

        LibvirtConnection connection;
        at = Stopwatch.GetTimestamp();
        try
        {
            connection = await _connect(cancellationToken).ConfigureAwait(false);
            steps.Add("connect", at, true);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException)
        {
            steps.Add("connect", at, false, e.Message);
            return run.Report(new(VmOrderFailureKind.Unreachable, "connect", e.Message));
        }

        try
        {
            DomainInspection inspection;
            try
            {
                inspection = await steps.RunAsync("inspect",
                    () => DomainInspector.Inspect(connection, command.VmName, command.VmUuid, _settings.QemuPidDirectory, keepXml: false),
                    _settings.StepTimeout, cancellationToken, i => i.ToString()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LibvirtException or TimeoutException)
            {
                return run.Report(new(e is TimeoutException ? VmOrderFailureKind.Timeout : VmOrderFailureKind.Unreachable, "inspect", e.Message));
            }
            if (inspection.Conflict is { } conflict && inspection.QemuPid is null)
            {
                return run.Report(new(VmOrderFailureKind.Conflict, "inspect", conflict));
            }
            if (!inspection.Live)
            {
                return Finish(run.Report(null));
            }

            _journal.MarkInProgress(command.CommandId);
            _expectStop?.Invoke(command.VmUuid);
            var kill = await DomainKiller.KillAsync(connection, command.VmUuid, inspection.QemuPid, _settings.KillGrace, _time, steps, cancellationToken)
                .ConfigureAwait(false);

            at = Stopwatch.GetTimestamp();
            var deadline = _time.GetUtcNow() + _settings.ConfirmTimeout;
            DomainState? state = null;
            string? problem = null;
            while (true)
            {
                try
                {
                    state = await BoundedStep.RunAsync("confirm stopped", () =>
                    {
                        using var domain = connection.LookupByUuid(command.VmUuid);
                        return domain.GetState().State;
                    }, _settings.StepTimeout, cancellationToken).ConfigureAwait(false);
                    problem = null;
                }
                catch (LibvirtException e) when (e.Code == LibvirtErrorCode.NoDomain)
                {
                    state = DomainState.ShutOff; // a transient domain is gone once it stops
                }
                catch (Exception e) when (e is LibvirtException or TimeoutException)
                {
                    problem = e.Message;
                }
                if (state == DomainState.ShutOff || _time.GetUtcNow() >= deadline)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
            }
            var libvirtOff = state == DomainState.ShutOff;
            steps.Add("confirm stopped", at, libvirtOff, $"libvirt state {state?.ToString() ?? "unknown"}{(problem is null ? "" : $" ({problem})")}");

            // The QEMU process gone is the proof a writer ended; libvirt's view only counts when no QEMU was known.
            var proven = kill.Dead && (inspection.QemuPid is not null || libvirtOff);
            return Finish(run.Report(
                proven ? null : new(VmOrderFailureKind.StopFailed, kill.Dead ? "confirm stopped" : "destroy",
                    kill.Problem ?? $"libvirt still reports {state?.ToString() ?? "unknown"}"),
                wasRunning: true, killed: kill.Killed));
        }
        finally
        {
            await ConnectionRelease.DisposeBoundedAsync(connection).ConfigureAwait(false);
        }
    }

    private StopReport Finish(StopReport report)
    {
        _journal.Finish(report);
        return report;
    }

    private sealed class Run(StopCommand command, DateTimeOffset startedAt, long started)
    {
        public StopCommand Command { get; } = command;

        public StepRecorder Steps { get; } = new();

        public StopReport Report(VmOrderFailure? failure, bool wasRunning = false, bool killed = false) =>
            new(Command.CommandId, Command.Token, Command.VmName, Command.VmUuid, startedAt, Stopwatch.GetElapsedTime(started),
                [.. Steps.Steps], failure, wasRunning, killed, Repeated: false);
    }

    [LoggerMessage(EventId = RestartEventIds.StopSucceeded, Level = LogLevel.Warning, Message = "Stopped {VmName} (command {CommandId}): was running {WasRunning}, SIGKILL needed {Killed}, {ElapsedMs:F0} ms")]
    private partial void LogStopped(string commandId, string vmName, bool wasRunning, bool killed, double elapsedMs);

    [LoggerMessage(EventId = RestartEventIds.StopFailed, Level = LogLevel.Error, Message = "Stop of {VmName} (command {CommandId}) NOT proven: {Failure}; steps: {Steps}")]
    private partial void LogStopFailed(string commandId, string vmName, string failure, string steps);

    [LoggerMessage(EventId = RestartEventIds.StopRepeated, Level = LogLevel.Information, Message = "Stop command {CommandId} of {VmName} repeated: returning the stored report (succeeded: {Succeeded})")]
    private partial void LogRepeated(string commandId, string vmName, bool succeeded);
}
