using System.Diagnostics;
using System.Xml;
using HaAgent.Agent.Fencing;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Restart;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.NativeInterop.Rados;
using HaAgent.Protocol.Gate;
using HaAgent.Protocol.Messages;
using Microsoft.Extensions.Logging;
using AgentIscsiTarget = HaAgent.Agent.Fencing.IscsiFenceTarget;
using VmStatus = HaAgent.Agent.Vms.VmStatus;

namespace HaAgent.Agent.Orders;

/// <summary>
/// Runs coordinator orders (TRANSPORT.md, agent loop): <see cref="OrderGate.Admit"/> → persist the gate (fsync)
/// BEFORE acting → the executor → <see cref="OrderGate.Complete"/> → persist → the result to send. Refusals change
/// nothing and are answered <see cref="OrderOutcome.Refused"/>; a finished order delivered again is answered with the
/// remembered result. With a corrupt gate file every order is refused (never an empty gate: it would forget the
/// highest stamp obeyed). Call <see cref="ExecuteAsync"/> from one loop; <see cref="EnterSelfFence"/> may come from
/// the self-fence monitor at any time.
/// </summary>
internal sealed partial class OrderDispatcher
{
    private readonly AgentIdentity _identity;
    private readonly OrderGateFile _gateFile;
    private readonly OrderResultFile _results;
    private readonly AgentStateStore _state;
    private readonly FenceExecutor _fence;
    private readonly UnfenceExecutor _unfence;
    private readonly AllowedVmsLeftoverCheck _leftovers;
    private readonly VmStartExecutor _start;
    private readonly VmStopExecutor _stop;
    private readonly VmWatcher _watcher;
    private readonly TimeSpan _watcherReadyTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gateLock = new();
    private readonly OrderGate? _gate;
    private readonly string? _broken;

    public OrderDispatcher(
        AgentIdentity identity,
        OrderGateFile gateFile,
        OrderResultFile results,
        AgentStateStore state,
        FenceExecutor fence,
        UnfenceExecutor unfence,
        AllowedVmsLeftoverCheck leftovers,
        VmStartExecutor start,
        VmStopExecutor stop,
        VmWatcher watcher,
        TimeSpan watcherReadyTimeout,
        TimeProvider time,
        ILogger<OrderDispatcher> logger)
    {
        _identity = identity;
        _gateFile = gateFile;
        _results = results;
        _state = state;
        _fence = fence;
        _unfence = unfence;
        _leftovers = leftovers;
        _start = start;
        _stop = stop;
        _watcher = watcher;
        _watcherReadyTimeout = watcherReadyTimeout;
        _time = time;
        _logger = logger;

        var loaded = gateFile.Load(out var problem);
        if (loaded is not null && results.TryLoad(out problem))
        {
            _gate = new OrderGate(loaded);
            if (_state.Current.PendingSelfFences.Count > 0 && !_gate.SelfFenced)
            {
                // The self-fence record reached the state file but the gate's copy did not (crash in between).
                _gateFile.Save(_gate.EnterSelfFence());
            }
        }
        else
        {
            _broken = problem;
            LogGateCorrupt(problem ?? "unknown problem");
        }
    }

    /// <summary>Why every order is refused, or null when the gate works.</summary>
    public string? Broken => _broken;

    /// <summary>The highest stamp obeyed (the heartbeat's LastStamp).</summary>
    public OrderStamp Highest
    {
        get
        {
            lock (_gateLock)
            {
                return _gate?.Highest ?? default;
            }
        }
    }

    public bool SelfFenced
    {
        get
        {
            lock (_gateLock)
            {
                return _gate?.SelfFenced ?? true;
            }
        }
    }

    /// <summary>A heartbeat ack named the leader's epoch: raise the floor (persisted when it rose).</summary>
    public void ObserveEpoch(long epoch)
    {
        lock (_gateLock)
        {
            if (_gate?.ObserveEpoch(epoch) is { } state)
            {
                _gateFile.Save(state);
            }
        }
    }

    /// <summary>The agent fenced itself: refuse starts until an unfence succeeds (persisted).</summary>
    public void EnterSelfFence()
    {
        lock (_gateLock)
        {
            if (_gate is null)
            {
                return;
            }
            var state = _gate.EnterSelfFence();
            try
            {
                _gateFile.Save(state);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still refused in memory, and the start executor refuses while the self-fence record is pending.
                LogOrderFailedInternally("self-fence", $"cannot persist the self-fenced gate: {e.Message}");
            }
        }
    }

    /// <summary>Runs one delivered order. Null when the same order is being executed right now (nothing to answer).</summary>
    public async Task<OrderResultMessage?> ExecuteAsync(AgentOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        LogOrderReceived(order.OrderId, order.GetType().Name, order.Stamp.ToString());
        if (_broken is not null)
        {
            LogGateCorrupt(_broken);
            return Refused(order, FailureKind.Internal, $"agent refuses every order: {_broken}; an operator must repair or remove it");
        }

        OrderAdmission admission;
        lock (_gateLock)
        {
            admission = _gate!.Admit(order);
            if (admission.StateToPersist is { } accepted)
            {
                try
                {
                    _gateFile.Save(accepted);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Not durable, so not obeyed: acting now could be undone by a restart that forgets the stamp.
                    var failed = Result(order, OrderOutcome.Failed, FailureKind.Internal, $"cannot persist the order gate: {e.Message}");
                    _gate.Complete(order, ResultId(order), succeeded: false);
                    LogOrderFailedInternally(order.OrderId, e.Message);
                    return failed;
                }
            }
        }

        switch (admission.Verdict)
        {
            case GateVerdict.InProgress:
                return null;
            case GateVerdict.AlreadyDone:
                if (admission.RememberedResultId is { } id && _results.TryGet(id, out var remembered))
                {
                    // The same outcome and evidence as the first time, spoken by this incarnation.
                    return remembered! with { Incarnation = _identity.Incarnation };
                }
                return Refused(order, FailureKind.StaleStamp, "order already finished; its result is no longer remembered");
            case GateVerdict.Stale:
                return Refused(order, FailureKind.StaleStamp, $"stamp {order.Stamp} is not above the highest obeyed ({Highest})");
            case GateVerdict.Conflicting:
                return Refused(order, FailureKind.StaleStamp, $"stamp {order.Stamp} already belongs to another order");
            case GateVerdict.SelfFenced:
                return Refused(order, FailureKind.SelfFenced, "this host fenced itself; starts are refused until an unfence succeeds");
        }

        var started = Stopwatch.GetTimestamp();
        OrderResultMessage result;
        try
        {
            result = order switch
            {
                FenceOrder fence => await FenceAsync(fence, cancellationToken).ConfigureAwait(false),
                UnfenceOrder unfence => await UnfenceAsync(unfence, cancellationToken).ConfigureAwait(false),
                StartVmOrder start => await StartAsync(start, cancellationToken).ConfigureAwait(false),
                StopVmOrder stop => await StopAsync(stop, cancellationToken).ConfigureAwait(false),
                _ => Result(order, OrderOutcome.Failed, FailureKind.Internal, $"unknown order {order.GetType().Name}"),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogOrderFailedInternally(order.OrderId, e.Message);
            result = Result(order, OrderOutcome.Failed, FailureKind.Internal, $"{e.GetType().Name}: {e.Message}");
        }

        lock (_gateLock)
        {
            var resultId = ResultId(order);
            var completed = _gate!.Complete(order, resultId, result.Outcome == OrderOutcome.Succeeded);
            try
            {
                _results.Add(resultId, result);
                _gateFile.Save(completed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The result still goes out; after a restart the order comes back as Resumed and is redone (orders are idempotent).
                LogOrderFailedInternally(order.OrderId, $"result not persisted: {e.Message}");
            }
        }
        LogOrderFinished(order.OrderId, admission.Verdict.ToString(), result.Outcome.ToString(), result.FailureKind?.ToString() ?? "-",
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, result.FailureMessage ?? "");
        return result;
    }

    private async Task<OrderResultMessage> FenceAsync(FenceOrder order, CancellationToken cancellationToken)
    {
        List<FenceTargetSpec> targets = [];
        if (order.CephAddresses.Count > 0)
        {
            // "IP:0/0" is the coordinator asking for the whole host (every client on that IP, QEMU's librbd clients
            // included); anything else is one exact client instance.
            List<string> clients = [];
            List<string> wholeHosts = [];
            foreach (var address in order.CephAddresses)
            {
                if (RadosClientAddress.TryParse(address, out var parsed) && parsed.IsWholeHost)
                {
                    wholeHosts.Add(parsed.IPAddress.ToString());
                }
                else
                {
                    clients.Add(address);
                }
            }
            targets.Add(new CephFenceTarget(clients, wholeHosts));
        }
        foreach (var iscsi in order.IscsiTargets)
        {
            if (!Configuration.AgentLimits.TryParseReservationKey(iscsi.VictimKey, out var key))
            {
                return Result(order, OrderOutcome.Failed, FailureKind.Internal, $"victim key '{iscsi.VictimKey}' is not a PR key");
            }
            targets.Add(new AgentIscsiTarget(null, iscsi.Target, iscsi.Lun, key));
        }
        var report = await _fence.ExecuteAsync(new FenceCommand(order.OrderId, order.Stamp.Epoch, order.Victim, targets), cancellationToken)
            .ConfigureAwait(false);
        var (outcome, kind) = OrderResults.Of(report.Failures);
        return OrderResults.Make(_identity.HostId, _identity.Incarnation, order, outcome, kind,
            report.Succeeded ? null : string.Join("; ", report.Failures), OrderResults.CephEvidence(report.Proofs), OrderResults.IscsiEvidence(report.Proofs));
    }

    private async Task<OrderResultMessage> UnfenceAsync(UnfenceOrder order, CancellationToken cancellationToken)
    {
        var allowed = new HashSet<string>(order.AllowedVms, StringComparer.Ordinal);
        if (!await WatcherReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            return Result(order, OrderOutcome.Failed, FailureKind.HypervisorError, "the VM table is not known yet (libvirt never listed): cannot stop VMs outside the allowed set");
        }

        // A start that raced the fence must not get storage back (UNFENCE_WITHOUT_KILL): stop every other HA VM first.
        foreach (var vm in _watcher.Snapshot().Where(v => !allowed.Contains(v.Name) && (v.Status != VmStatus.Stopped || v.QemuPid is not null)))
        {
            var stop = await _stop.ExecuteAsync(new StopCommand($"{order.OrderId}.stop.{vm.Uuid:N}", order.Stamp.Epoch, vm.Name, vm.Uuid), cancellationToken)
                .ConfigureAwait(false);
            if (!stop.Succeeded)
            {
                var (outcome, kind) = OrderResults.Of(stop.Failure);
                return Result(order, outcome, kind, $"could not stop {vm.Name} (not in the allowed set) before unfencing: {stop.Failure}");
            }
        }

        _leftovers.Allowed = allowed;
        var report = await _unfence.ExecuteAsync(new UnfenceCommand(order.OrderId, order.Stamp.Epoch, order.CephAddresses,
            [.. order.IscsiTargets.Select(t => new IscsiUnfenceTarget(null, t.Target, t.Lun))], CallerConfirmsVmsDead: true), cancellationToken)
            .ConfigureAwait(false);
        if (report.Succeeded)
        {
            // Lifts the executors' own self-fence guard too (VmStartExecutor refuses while records are pending).
            _state.AcknowledgeSelfFences(_time.GetUtcNow());
        }
        var (result, failure) = OrderResults.Of(report.Failures);
        return OrderResults.Make(_identity.HostId, _identity.Incarnation, order, result, failure,
            report.Succeeded ? null : string.Join("; ", report.Failures), null, OrderResults.IscsiEvidence(report.Proofs));
    }

    private async Task<OrderResultMessage> StartAsync(StartVmOrder order, CancellationToken cancellationToken)
    {
        if (!TryReadUuid(order.DomainXml, out var uuid, out var problem))
        {
            return Result(order, OrderOutcome.Failed, FailureKind.Internal, $"InvalidOrder: {problem}");
        }
        var volumes = order.Volumes.Select(v => $"{v.Kind}:{v.Pool}/{v.Name}").ToArray();
        var report = await _start.ExecuteAsync(new StartCommand(order.OrderId, order.Stamp.Epoch, order.VmId, uuid, order.DomainXml, volumes), cancellationToken)
            .ConfigureAwait(false);
        var (outcome, kind) = OrderResults.Of(report.Failure);
        return Result(order, outcome, kind, report.Failure?.ToString() ?? (report.Repeated ? "already started by this order" : null));
    }

    private async Task<OrderResultMessage> StopAsync(StopVmOrder order, CancellationToken cancellationToken)
    {
        if (!await WatcherReadyAsync(cancellationToken).ConfigureAwait(false))
        {
            // An empty table proves nothing: never answer "stopped" for a VM libvirt was never asked about.
            return Result(order, OrderOutcome.Failed, FailureKind.HypervisorError, "the VM table is not known yet (libvirt never listed)");
        }
        var vm = _watcher.Snapshot().FirstOrDefault(v => string.Equals(v.Name, order.VmId, StringComparison.Ordinal));
        if (vm is null)
        {
            return Result(order, OrderOutcome.Succeeded, null, null);
        }
        var report = await _stop.ExecuteAsync(new StopCommand(order.OrderId, order.Stamp.Epoch, vm.Name, vm.Uuid), cancellationToken).ConfigureAwait(false);
        var (outcome, kind) = OrderResults.Of(report.Failure);
        return Result(order, outcome, kind, report.Failure?.ToString());
    }

    private async Task<bool> WatcherReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _watcher.Ready.WaitAsync(_watcherReadyTimeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The VM's UUID as its definition states it (DTD refused, like the start executor's own check).</summary>
    internal static bool TryReadUuid(string xml, out Guid uuid, out string? problem)
    {
        uuid = Guid.Empty;
        try
        {
            var text = DomainXmlFacts.Parse(xml).Uuid;
            if (text is null || !Guid.TryParse(text.Trim(), out uuid))
            {
                problem = "the domain XML has no valid <uuid>";
                return false;
            }
            problem = null;
            return true;
        }
        catch (XmlException e)
        {
            problem = $"the domain XML does not parse: {e.Message}";
            return false;
        }
    }

    private static string ResultId(AgentOrder order) => $"{order.OrderId}@{order.Stamp}";

    private OrderResultMessage Refused(AgentOrder order, FailureKind kind, string message)
    {
        LogOrderRefused(order.OrderId, order.Stamp.ToString(), kind.ToString(), message);
        return Result(order, OrderOutcome.Refused, kind, message);
    }

    private OrderResultMessage Result(AgentOrder order, OrderOutcome outcome, FailureKind? kind, string? message) =>
        OrderResults.Make(_identity.HostId, _identity.Incarnation, order, outcome, kind, message);

    [LoggerMessage(EventId = AgentEventIds.OrderReceived, Level = LogLevel.Information, Message = "Order {OrderId} ({Type}) stamped {Stamp} received")]
    private partial void LogOrderReceived(string orderId, string type, string stamp);

    [LoggerMessage(EventId = AgentEventIds.OrderFinished, Level = LogLevel.Information,
        Message = "Order {OrderId} ({Verdict}) finished {Outcome} ({Kind}) in {Ms:F1} ms {Detail}")]
    private partial void LogOrderFinished(string orderId, string verdict, string outcome, string kind, double ms, string detail);

    [LoggerMessage(EventId = AgentEventIds.OrderRefused, Level = LogLevel.Warning, Message = "Order {OrderId} stamped {Stamp} refused ({Kind}): {Why}")]
    private partial void LogOrderRefused(string orderId, string stamp, string kind, string why);

    [LoggerMessage(EventId = AgentEventIds.OrderGateCorrupt, Level = LogLevel.Critical, Message = "ORDER GATE UNUSABLE, refusing every order: {Problem}")]
    private partial void LogGateCorrupt(string problem);

    [LoggerMessage(EventId = AgentEventIds.OrderFailedInternally, Level = LogLevel.Error, Message = "Order {OrderId} failed inside the agent: {Error}")]
    private partial void LogOrderFailedInternally(string orderId, string error);
}
