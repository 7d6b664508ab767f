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
    private readonly AgentStateStore _state;
    private readonly CommandJournal _journal;
    private readonly VmOrderLocks _locks;
    private readonly Func<CancellationToken, Task<LibvirtConnection>> _connect;
    private readonly VmOrderSettings _settings;
    private readonly Func<bool>? _isSelfFencing;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="connect">Opens a fresh, bounded libvirt connection; the executor disposes it after the order.</param>
    /// <param name="isSelfFencing">True while a self-fence is under way (before its record reaches the state file).</param>
    public VmStartExecutor(
        AgentStateStore state,
        CommandJournal journal,
        VmOrderLocks locks,
        Func<CancellationToken, Task<LibvirtConnection>> connect,
        VmOrderSettings settings,
        Func<bool>? isSelfFencing,
        TimeProvider time,
        ILogger<VmStartExecutor> logger)
    {
        _state = state;
        _journal = journal;
        _locks = locks;
        _connect = connect;
        _settings = settings;
        _isSelfFencing = isSelfFencing;
        _time = time;
        _logger = logger;
    }

    public async Task<StartReport> ExecuteAsync(StartCommand command, CancellationToken cancellationToken = default)
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

        using var held = await _locks.AcquireAsync(command.VmUuid, cancellationToken).ConfigureAwait(false);
        var earlier = _journal.Find(command.CommandId);
        if (earlier is { Finished: true })
        {
            return earlier.Start is { } done
                ? done with { Repeated = true }
                : run.Report(new(VmOrderFailureKind.InvalidOrder, "journal", $"command id {command.CommandId} was used by a stop order"));
        }
        var resumed = earlier is not null;

        at = Stopwatch.GetTimestamp();
        if (!_state.TryAdmit(command.Token, out var highest))
        {
            var detail = $"order token {command.Token} is below the highest seen ({highest}): a newer coordinator has spoken";
            steps.Add("token", at, false, detail);
            return run.Report(new(VmOrderFailureKind.StaleToken, "token", detail));
        }
        steps.Add("token", at, true, $"token {command.Token}");

        at = Stopwatch.GetTimestamp();
        if (SelfFenceReason() is { } fenced)
        {
            steps.Add("self-fence check", at, false, fenced);
            return run.Report(new(VmOrderFailureKind.SelfFenced, "self-fence check", fenced));
        }
        steps.Add("self-fence check", at, true);

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
                    () => DomainInspector.Inspect(connection, command.VmName, command.VmUuid, _settings.QemuPidDirectory, keepXml: true),
                    _settings.StepTimeout, cancellationToken, i => i.ToString()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LibvirtException or TimeoutException)
            {
                return run.Report(new(Classify(e), "inspect", e.Message));
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
            _journal.Finish(report);
            return report;
        }
        finally
        {
            await ConnectionRelease.DisposeBoundedAsync(connection).ConfigureAwait(false);
        }
    }

    private async Task<StartReport> DefineAndStartAsync(Run run, LibvirtConnection connection, string? hypervisor, DomainInspection before, CancellationToken cancellationToken)
    {
        var command = run.Command;
        _journal.MarkInProgress(command.CommandId);
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
        var deadline = _time.GetUtcNow() + _settings.ConfirmTimeout;
        DomainState? state = null;
        int? pid = null;
        string? problem = null;
        while (true)
        {
            try
            {
                (state, pid) = await BoundedStep.RunAsync("confirm running", () =>
                {
                    using var domain = connection.LookupByUuid(command.VmUuid);
                    var current = domain.GetState().State;
                    return (current, current == DomainState.Running && expectQemu
                        ? new QemuProcessLocator(_settings.QemuPidDirectory).Find(command.VmName, command.VmUuid)
                        : null);
                }, _settings.StepTimeout, cancellationToken).ConfigureAwait(false);
                problem = null;
            }
            catch (Exception e) when (e is LibvirtException or TimeoutException)
            {
                problem = e.Message;
            }
            if (state == DomainState.Running && (!expectQemu || pid is not null))
            {
                break;
            }
            if (_time.GetUtcNow() >= deadline)
            {
                break;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
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
            var now = await run.Steps.RunAsync("cleanup: inspect",
                () => DomainInspector.Inspect(connection, command.VmName, command.VmUuid, _settings.QemuPidDirectory, keepXml: false),
                _settings.StepTimeout, cancellationToken, i => i.ToString()).ConfigureAwait(false);
            if (now.Live)
            {
                var kill = await DomainKiller.KillAsync(connection, command.VmUuid, now.QemuPid, _settings.KillGrace, _time, run.Steps, cancellationToken)
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
        var pending = _state.Current.PendingSelfFences;
        if (pending.Count > 0)
        {
            var last = pending[^1];
            return $"this agent self-fenced at {last.At:O} ({last.Reason}) and has not been unfenced since";
        }
        return _isSelfFencing?.Invoke() == true ? "a self-fence is under way (no coordinator contact)" : null;
    }

    private static VmOrderFailureKind Classify(Exception e) => e is TimeoutException ? VmOrderFailureKind.Timeout : VmOrderFailureKind.Unreachable;

    private sealed class Run(StartCommand command, DateTimeOffset startedAt, long started)
    {
        public StartCommand Command { get; } = command;

        public StepRecorder Steps { get; } = new();

        public StartReport Report(VmOrderFailure? failure, int? qemuPid = null, bool cleanedUp = false) =>
            new(Command.CommandId, Command.Token, Command.VmName, Command.VmUuid, startedAt, Stopwatch.GetElapsedTime(started),
                [.. Steps.Steps], failure, qemuPid, failure is not null && cleanedUp, Repeated: false);
    }

    [LoggerMessage(EventId = RestartEventIds.StartSucceeded, Level = LogLevel.Warning, Message = "Started {VmName} (command {CommandId}, token {Token}) in {ElapsedMs:F0} ms, QEMU pid {Pid}")]
    private partial void LogStarted(string commandId, string vmName, long token, double elapsedMs, int? pid);

    [LoggerMessage(EventId = RestartEventIds.StartFailed, Level = LogLevel.Error, Message = "Start of {VmName} (command {CommandId}) not done: {Failure}; cleaned up: {CleanedUp}; steps: {Steps}")]
    private partial void LogStartFailed(string commandId, string vmName, string failure, bool cleanedUp, string steps);

    [LoggerMessage(EventId = RestartEventIds.StartRepeated, Level = LogLevel.Information, Message = "Start command {CommandId} of {VmName} repeated: returning the stored report (succeeded: {Succeeded})")]
    private partial void LogRepeated(string commandId, string vmName, bool succeeded);
}
