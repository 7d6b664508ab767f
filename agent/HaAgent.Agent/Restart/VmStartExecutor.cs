using System.Diagnostics;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Libvirt;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Restart;

/// <summary>
/// Starts a VM the coordinator restarts on this host. Refusals change nothing: a malformed order, a stale token, a
/// self-fenced agent (until unfenced), a VM already live here, a name or UUID taken by another domain. Then the
/// command is marked in the journal, the domain defined and started, and running confirmed (libvirt state plus a live
/// QEMU for QEMU domains). If QEMU cannot take its image's write lock — another writer still has it — the result is
/// <see cref="VmOrderFailureKind.ImageLocked"/>. Any failure after the define leaves the VM dead and its definition as
/// it was. A command id already finished returns its stored report.
/// </summary>
internal sealed partial class VmStartExecutor
{
    private readonly VmOrderPipeline _pipeline;
    private readonly VmOrderSettings _settings;
    private readonly Func<bool>? _isSelfFencing;
    private readonly ILogger _logger;

    /// <param name="isSelfFencing">True while a self-fence is under way (before its record reaches the state file).</param>
    public VmStartExecutor(VmOrderPipeline pipeline, Func<bool>? isSelfFencing, ILogger<VmStartExecutor> logger)
    {
        _pipeline = pipeline;
        _settings = pipeline.Settings;
        _isSelfFencing = isSelfFencing;
        _logger = logger;
    }

    public async Task<StartReport> ExecuteAsync(StartCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var run = new Run(command, _pipeline.Begin(command.CommandId, command.Token, command.VmName, command.VmUuid));
        var report = await ExecuteCoreAsync(run, cancellationToken).ConfigureAwait(false);
        if (report.Repeated)
        {
            LogRepeated(command.CommandId, command.VmName, report.Succeeded);
        }
        else if (report.Succeeded)
        {
            LogStarted(command.CommandId, command.VmName, command.Token, report.Elapsed.TotalMilliseconds, report.QemuPid);
        }
        else
        {
            LogStartFailed(command.CommandId, command.VmName, report.Failure!.ToString(), report.CleanedUp, string.Join("; ", report.Steps));
        }
        return report;
    }

    private async Task<StartReport> ExecuteCoreAsync(Run run, CancellationToken cancellationToken)
    {
        var command = run.Command;
        var steps = run.Steps;
        var at = Stopwatch.GetTimestamp();
        var problems = DomainXmlCheck.Validate(command, _settings.ManagedPrefix, out var hypervisor);
        if (problems.Count > 0)
        {
            steps.Add("validate", at, false, string.Join("; ", problems));
            return run.Report(new(VmOrderFailureKind.InvalidOrder, "validate", string.Join("; ", problems)));
        }
        steps.Add("validate", at, true, $"{hypervisor} domain, {command.Volumes.Count} volume(s)");

        using var held = await _pipeline.LockAsync(run.Order, cancellationToken).ConfigureAwait(false);
        var earlier = _pipeline.Earlier(run.Order, e => e.Start is not null, "stop", out var wrongKind);
        if (earlier is { Finished: true })
        {
            return wrongKind is null ? earlier.Start! with { Repeated = true } : run.Report(wrongKind);
        }
        var resumed = earlier is not null;

        if (_pipeline.AdmitToken(run.Order) is { } stale)
        {
            return run.Report(stale);
        }

        at = Stopwatch.GetTimestamp();
        if (SelfFenceReason() is { } fenced)
        {
            steps.Add("self-fence check", at, false, fenced);
            return run.Report(new(VmOrderFailureKind.SelfFenced, "self-fence check", fenced));
        }
        steps.Add("self-fence check", at, true);

        var (connection, unreachable) = await _pipeline.ConnectAsync(run.Order, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return run.Report(unreachable);
        }

        try
        {
            var (inspection, failed) = await _pipeline.InspectAsync(run.Order, connection, keepXml: true, cancellationToken).ConfigureAwait(false);
            if (inspection is null)
            {
                return run.Report(failed);
            }
            if (inspection.Conflict is { } conflict)
            {
                return run.Report(new(VmOrderFailureKind.Conflict, "inspect", conflict));
            }
            if (inspection.Live && !resumed)
            {
                return run.Report(new(VmOrderFailureKind.AlreadyRunning, "inspect", $"{command.VmName} is {inspection}"));
            }

            // From here on this command changes the host: a repeat after an agent crash must know it was under way.
            var report = inspection.Live
                ? await ConfirmAsync(run, connection, hypervisor, inspection, "resumed: started by this command before an agent restart", cancellationToken).ConfigureAwait(false)
                : await DefineAndStartAsync(run, connection, hypervisor, inspection, cancellationToken).ConfigureAwait(false);
            _pipeline.Journal.Finish(report);
            return report;
        }
        finally
        {
            await VmOrderPipeline.ReleaseAsync(connection).ConfigureAwait(false);
        }
    }

    private async Task<StartReport> DefineAndStartAsync(Run run, LibvirtConnection connection, string? hypervisor, DomainInspection before, CancellationToken cancellationToken)
    {
        var command = run.Command;
        _pipeline.Journal.MarkInProgress(command.CommandId);
        try
        {
            await run.Steps.RunAsync("define", () => connection.DefineXml(command.DomainXml).Dispose(), _settings.StepTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (LibvirtException e)
        {
            // A refused define changed nothing.
            return run.Report(new(VmOrderFailureKind.StartFailed, "define", e.LibvirtMessage), cleanedUp: true);
        }
        catch (TimeoutException e)
        {
            var cleaned = await CleanupAsync(run, connection, before, cancellationToken).ConfigureAwait(false);
            return run.Report(new(VmOrderFailureKind.Timeout, "define", e.Message), cleanedUp: cleaned);
        }

        try
        {
            await run.Steps.RunAsync("create", () =>
            {
                using var domain = connection.LookupByUuid(command.VmUuid);
                domain.Create();
            }, _settings.StepTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException)
        {
            var failure = e switch
            {
                LibvirtException l when ImageLockError.Matches(l.LibvirtMessage, out var image) =>
                    new VmOrderFailure(VmOrderFailureKind.ImageLocked, "create",
                        $"image {image ?? "?"} is locked by another writer: {l.LibvirtMessage}"),
                LibvirtException l => new VmOrderFailure(VmOrderFailureKind.StartFailed, "create", l.LibvirtMessage),
                _ => new VmOrderFailure(VmOrderFailureKind.Timeout, "create", e.Message),
            };
            var cleaned = await CleanupAsync(run, connection, before, cancellationToken).ConfigureAwait(false);
            return run.Report(failure, cleanedUp: cleaned);
        }

        return await ConfirmAsync(run, connection, hypervisor, before, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Running per libvirt and, for QEMU domains, a live QEMU carrying the UUID; then no self-fence may have begun meanwhile.</summary>
    private async Task<StartReport> ConfirmAsync(Run run, LibvirtConnection connection, string? hypervisor, DomainInspection before, string? note, CancellationToken cancellationToken)
    {
        var command = run.Command;
        var expectQemu = hypervisor is "qemu" or "kvm";
        var at = Stopwatch.GetTimestamp();
        var (seen, problem) = await _pipeline.PollAsync<(DomainState State, int? Pid)?>("confirm running", () =>
        {
            using var domain = connection.LookupByUuid(command.VmUuid);
            var current = domain.GetState().State;
            return (current, current == DomainState.Running && expectQemu
                ? new QemuProcessLocator(_settings.QemuPidDirectory).Find(command.VmName, command.VmUuid)
                : null);
        }, s => s is { State: DomainState.Running } r && (!expectQemu || r.Pid is not null), cancellationToken).ConfigureAwait(false);
        var state = seen?.State;
        var pid = seen?.Pid;
        var confirmed = state == DomainState.Running && (!expectQemu || pid is not null);
        var detail = $"state {state?.ToString() ?? "unknown"}, QEMU pid {pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
            + (problem is null ? "" : $" ({problem})") + (note is null ? "" : $"; {note}");
        run.Steps.Add("confirm running", at, confirmed, detail);
        if (!confirmed)
        {
            var cleaned = await CleanupAsync(run, connection, before, cancellationToken).ConfigureAwait(false);
            return run.Report(new(VmOrderFailureKind.NotConfirmed, "confirm running", detail), cleanedUp: cleaned);
        }

        // A self-fence that began during the start took its VM list before this VM ran: it will not stop it.
        at = Stopwatch.GetTimestamp();
        if (SelfFenceReason() is { } fenced)
        {
            run.Steps.Add("self-fence re-check", at, false, fenced);
            var cleaned = await CleanupAsync(run, connection, before, cancellationToken).ConfigureAwait(false);
            return run.Report(new(VmOrderFailureKind.SelfFenced, "self-fence re-check", fenced), cleanedUp: cleaned);
        }
        run.Steps.Add("self-fence re-check", at, true);
        return run.Report(null, pid);
    }

    /// <summary>Kills whatever this order started and puts the definition back as it was; true when both are proven.</summary>
    private async Task<bool> CleanupAsync(Run run, LibvirtConnection connection, DomainInspection before, CancellationToken cancellationToken)
    {
        var command = run.Command;
        try
        {
            var (now, _) = await _pipeline.InspectAsync(run.Order, connection, keepXml: false, cancellationToken, "cleanup: inspect").ConfigureAwait(false);
            if (now is null)
            {
                return false;
            }
            if (now.Live)
            {
                var kill = await DomainKiller.KillAsync(connection, command.VmUuid, now.QemuPid, _settings.KillGrace, _pipeline.Time, run.Steps, cancellationToken)
                    .ConfigureAwait(false);
                if (!kill.Dead)
                {
                    return false;
                }
            }
            if (before.PreviousXml is { } previous)
            {
                await run.Steps.RunAsync("cleanup: restore definition", () => connection.DefineXml(previous).Dispose(), _settings.StepTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            else if (now.Defined)
            {
                await run.Steps.RunAsync("cleanup: undefine", () =>
                {
                    using var domain = connection.LookupByUuid(command.VmUuid);
                    domain.Undefine();
                }, _settings.StepTimeout, cancellationToken).ConfigureAwait(false);
            }
            return true;
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException)
        {
            return false;
        }
    }

    private string? SelfFenceReason()
    {
        var pending = _pipeline.State.Current.PendingSelfFences;
        if (pending.Count > 0)
        {
            var last = pending[^1];
            return $"this agent self-fenced at {last.At:O} ({last.Reason}) and has not been unfenced since";
        }
        return _isSelfFencing?.Invoke() == true ? "a self-fence is under way (no coordinator contact)" : null;
    }

    /// <summary>The shared run (<see cref="VmOrderRun"/>) with the start's own command and report.</summary>
    private sealed class Run(StartCommand command, VmOrderRun order)
    {
        public StartCommand Command { get; } = command;

        public VmOrderRun Order { get; } = order;

        public StepRecorder Steps => Order.Steps;

        public StartReport Report(VmOrderFailure? failure, int? qemuPid = null, bool cleanedUp = false) =>
            new(Command.CommandId, Command.Token, Command.VmName, Command.VmUuid, Order.StartedAt, Order.Elapsed,
                [.. Steps.Steps], failure, qemuPid, failure is not null && cleanedUp, Repeated: false);
    }

    [LoggerMessage(EventId = RestartEventIds.StartSucceeded, Level = LogLevel.Warning, Message = "Started {VmName} (command {CommandId}, token {Token}) in {ElapsedMs:F0} ms, QEMU pid {Pid}")]
    private partial void LogStarted(string commandId, string vmName, long token, double elapsedMs, int? pid);

    [LoggerMessage(EventId = RestartEventIds.StartFailed, Level = LogLevel.Error, Message = "Start of {VmName} (command {CommandId}) not done: {Failure}; cleaned up: {CleanedUp}; steps: {Steps}")]
    private partial void LogStartFailed(string commandId, string vmName, string failure, bool cleanedUp, string steps);

    [LoggerMessage(EventId = RestartEventIds.StartRepeated, Level = LogLevel.Information, Message = "Start command {CommandId} of {VmName} repeated: returning the stored report (succeeded: {Succeeded})")]
    private partial void LogRepeated(string commandId, string vmName, bool succeeded);
}
