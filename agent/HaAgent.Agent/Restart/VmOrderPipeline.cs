using System.Diagnostics;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.State;
using HaAgent.NativeInterop.Libvirt;

namespace HaAgent.Agent.Restart;

/// <summary>
/// The steps a VM start and a VM stop share, each recorded in the order's <see cref="VmOrderRun.Steps"/>: one order
/// per VM at a time (<see cref="LockAsync"/>), a finished command id answered from the journal, the order token
/// admitted (persisted before anything changes), a fresh bounded libvirt connection, the domain inspected, libvirt
/// polled until it shows the expected state, and the connection released without waiting on a hung libvirtd.
/// The executors keep only what differs: their checks, the define/create or the kill, and their reports.
/// </summary>
internal sealed class VmOrderPipeline
{
    private static readonly TimeSpan PollPause = TimeSpan.FromMilliseconds(20);
    private readonly VmOrderLocks _locks;
    private readonly Func<CancellationToken, Task<LibvirtConnection>> _connect;

    /// <param name="connect">Opens a fresh, bounded libvirt connection; the order releases it (<see cref="ReleaseAsync"/>).</param>
    public VmOrderPipeline(
        AgentStateStore state,
        CommandJournal journal,
        VmOrderLocks locks,
        Func<CancellationToken, Task<LibvirtConnection>> connect,
        VmOrderSettings settings,
        TimeProvider time)
    {
        State = state;
        Journal = journal;
        _locks = locks;
        _connect = connect;
        Settings = settings;
        Time = time;
    }

    public AgentStateStore State { get; }

    public CommandJournal Journal { get; }

    public VmOrderSettings Settings { get; }

    public TimeProvider Time { get; }

    public VmOrderRun Begin(string commandId, long token, string vmName, Guid vmUuid) => new(commandId, token, vmName, vmUuid, Time.GetUtcNow());

    /// <summary>Held for the whole order: start and stop of one VM never interleave; different VMs run in parallel.</summary>
    public Task<IDisposable> LockAsync(VmOrderRun run, CancellationToken cancellationToken) => _locks.AcquireAsync(run.VmUuid, cancellationToken);

    /// <summary>
    /// This command id's journal entry if the agent acted on it before (finished or not), and, for a finished one of
    /// the other kind, the refusal to give (an id names one order).
    /// </summary>
    public CommandJournalEntry? Earlier(VmOrderRun run, Func<CommandJournalEntry, bool> sameKind, string otherKind, out VmOrderFailure? wrongKind)
    {
        var earlier = Journal.Find(run.CommandId);
        wrongKind = earlier is { Finished: true } && !sameKind(earlier)
            ? new(VmOrderFailureKind.InvalidOrder, "journal", $"command id {run.CommandId} was used by a {otherKind} order")
            : null;
        return earlier;
    }

    /// <summary>Persists the token if it is the highest seen; a lower one means a newer coordinator has spoken.</summary>
    public VmOrderFailure? AdmitToken(VmOrderRun run)
    {
        var at = Stopwatch.GetTimestamp();
        if (!State.TryAdmit(run.Token, out var highest))
        {
            var detail = $"order token {run.Token} is below the highest seen ({highest}): a newer coordinator has spoken";
            run.Steps.Add("token", at, false, detail);
            return new(VmOrderFailureKind.StaleToken, "token", detail);
        }
        run.Steps.Add("token", at, true, $"token {run.Token}");
        return null;
    }

    public async Task<(LibvirtConnection? Connection, VmOrderFailure? Failure)> ConnectAsync(VmOrderRun run, CancellationToken cancellationToken)
    {
        var at = Stopwatch.GetTimestamp();
        try
        {
            var connection = await _connect(cancellationToken).ConfigureAwait(false);
            run.Steps.Add("connect", at, true);
            return (connection, null);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException)
        {
            run.Steps.Add("connect", at, false, e.Message);
            return (null, new(VmOrderFailureKind.Unreachable, "connect", e.Message));
        }
    }

    /// <summary>Lookup by UUID and name, libvirt state and a live QEMU (<see cref="DomainInspector"/>), bounded; a hung libvirtd is a Timeout.</summary>
    public async Task<(DomainInspection? Inspection, VmOrderFailure? Failure)> InspectAsync(
        VmOrderRun run, LibvirtConnection connection, bool keepXml, CancellationToken cancellationToken, string step = "inspect")
    {
        try
        {
            var inspection = await run.Steps.RunAsync(step,
                () => DomainInspector.Inspect(connection, run.VmName, run.VmUuid, Settings.QemuPidDirectory, keepXml),
                Settings.StepTimeout, cancellationToken, i => i.ToString()).ConfigureAwait(false);
            return (inspection, null);
        }
        catch (Exception e) when (e is LibvirtException or TimeoutException)
        {
            return (null, new(e is TimeoutException ? VmOrderFailureKind.Timeout : VmOrderFailureKind.Unreachable, step, e.Message));
        }
    }

    /// <summary>
    /// Reads libvirt (bounded, every 20 ms) until <paramref name="done"/> or <see cref="VmOrderSettings.ConfirmTimeout"/>;
    /// returns the last value read (default if none) and the last read's problem (null if it answered).
    /// </summary>
    public async Task<(T? Last, string? Problem)> PollAsync<T>(string step, Func<T> read, Func<T, bool> done, CancellationToken cancellationToken)
    {
        var deadline = Time.GetUtcNow() + Settings.ConfirmTimeout;
        T? last = default;
        string? problem = null;
        while (true)
        {
            try
            {
                last = await BoundedStep.RunAsync(step, read, Settings.StepTimeout, cancellationToken).ConfigureAwait(false);
                problem = null;
            }
            catch (Exception e) when (e is LibvirtException or TimeoutException)
            {
                problem = e.Message;
            }
            if ((problem is null && done(last!)) || Time.GetUtcNow() >= deadline)
            {
                return (last, problem);
            }
            await Task.Delay(PollPause, Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the order's connection within <see cref="ConnectionRelease.Bound"/> (virConnectClose to a frozen libvirtd never returns).</summary>
    public static Task ReleaseAsync(LibvirtConnection connection) => ConnectionRelease.DisposeBoundedAsync(connection);
}
