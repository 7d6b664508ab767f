using System.Diagnostics;
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
    private readonly VmOrderPipeline _pipeline;
    private readonly Action<Guid>? _expectStop;
    private readonly ILogger _logger;

    /// <param name="expectStop">Tells the VM watcher the exit is ordered (VmWatcher.ExpectStop), so it reports Stopped, not Crashed.</param>
    public VmStopExecutor(VmOrderPipeline pipeline, Action<Guid>? expectStop, ILogger<VmStopExecutor> logger)
    {
        _pipeline = pipeline;
        _expectStop = expectStop;
        _logger = logger;
    }

    public async Task<StopReport> ExecuteAsync(StopCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var run = _pipeline.Begin(command.CommandId, command.Token, command.VmName, command.VmUuid);
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

    private async Task<StopReport> ExecuteCoreAsync(VmOrderRun run, CancellationToken cancellationToken)
    {
        var at = Stopwatch.GetTimestamp();
        if (string.IsNullOrWhiteSpace(run.CommandId) || string.IsNullOrWhiteSpace(run.VmName) || run.VmUuid == Guid.Empty)
        {
            const string detail = "command id, VM name and UUID are required";
            run.Steps.Add("validate", at, false, detail);
            return Report(run, new(VmOrderFailureKind.InvalidOrder, "validate", detail));
        }
        run.Steps.Add("validate", at, true);

        using var held = await _pipeline.LockAsync(run, cancellationToken).ConfigureAwait(false);
        if (_pipeline.Earlier(run, e => e.Stop is not null, "start", out var wrongKind) is { Finished: true } earlier)
        {
            return wrongKind is null ? earlier.Stop! with { Repeated = true } : Report(run, wrongKind);
        }
        if (_pipeline.AdmitToken(run) is { } stale)
        {
            return Report(run, stale);
        }
        var (connection, unreachable) = await _pipeline.ConnectAsync(run, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return Report(run, unreachable);
        }

        try
        {
            var (inspection, failed) = await _pipeline.InspectAsync(run, connection, keepXml: false, cancellationToken).ConfigureAwait(false);
            if (inspection is null)
            {
                return Report(run, failed);
            }
            if (inspection.Conflict is { } conflict && inspection.QemuPid is null)
            {
                return Report(run, new(VmOrderFailureKind.Conflict, "inspect", conflict));
            }
            if (!inspection.Live)
            {
                return Finish(Report(run, null));
            }

            _pipeline.Journal.MarkInProgress(run.CommandId);
            _expectStop?.Invoke(run.VmUuid);
            var kill = await DomainKiller.KillAsync(connection, run.VmUuid, inspection.QemuPid, _pipeline.Settings.KillGrace, _pipeline.Time, run.Steps, cancellationToken)
                .ConfigureAwait(false);

            at = Stopwatch.GetTimestamp();
            var (state, problem) = await _pipeline.PollAsync<DomainState?>("confirm stopped", () =>
            {
                try
                {
                    using var domain = connection.LookupByUuid(run.VmUuid);
                    return domain.GetState().State;
                }
                catch (LibvirtException e) when (e.Code == LibvirtErrorCode.NoDomain)
                {
                    return DomainState.ShutOff; // a transient domain is gone once it stops
                }
            }, s => s == DomainState.ShutOff, cancellationToken).ConfigureAwait(false);
            var libvirtOff = state == DomainState.ShutOff;
            run.Steps.Add("confirm stopped", at, libvirtOff, $"libvirt state {state?.ToString() ?? "unknown"}{(problem is null ? "" : $" ({problem})")}");

            // The QEMU process gone is the proof a writer ended; libvirt's view only counts when no QEMU was known.
            var proven = kill.Dead && (inspection.QemuPid is not null || libvirtOff);
            return Finish(Report(run,
                proven ? null : new(VmOrderFailureKind.StopFailed, kill.Dead ? "confirm stopped" : "destroy",
                    kill.Problem ?? $"libvirt still reports {state?.ToString() ?? "unknown"}"),
                wasRunning: true, killed: kill.Killed));
        }
        finally
        {
            await VmOrderPipeline.ReleaseAsync(connection).ConfigureAwait(false);
        }
    }

    private StopReport Finish(StopReport report)
    {
        _pipeline.Journal.Finish(report);
        return report;
    }

    private static StopReport Report(VmOrderRun run, VmOrderFailure? failure, bool wasRunning = false, bool killed = false) =>
        new(run.CommandId, run.Token, run.VmName, run.VmUuid, run.StartedAt, run.Elapsed, [.. run.Steps.Steps], failure, wasRunning, killed, Repeated: false);

    [LoggerMessage(EventId = RestartEventIds.StopSucceeded, Level = LogLevel.Warning, Message = "Stopped {VmName} (command {CommandId}): was running {WasRunning}, SIGKILL needed {Killed}, {ElapsedMs:F0} ms")]
    private partial void LogStopped(string commandId, string vmName, bool wasRunning, bool killed, double elapsedMs);

    [LoggerMessage(EventId = RestartEventIds.StopFailed, Level = LogLevel.Error, Message = "Stop of {VmName} (command {CommandId}) NOT proven: {Failure}; steps: {Steps}")]
    private partial void LogStopFailed(string commandId, string vmName, string failure, string steps);

    [LoggerMessage(EventId = RestartEventIds.StopRepeated, Level = LogLevel.Information, Message = "Stop command {CommandId} of {VmName} repeated: returning the stored report (succeeded: {Succeeded})")]
    private partial void LogRepeated(string commandId, string vmName, bool succeeded);
}
