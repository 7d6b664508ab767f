using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using HaAgent.Agent.Configuration;
using HaAgent.Agent.Heartbeat;
using HaAgent.Agent.Orders;
using HaAgent.Agent.State;
using HaAgent.Agent.Vms;
using HaAgent.Protocol.Messages;
using HaAgent.Protocol.Validation;
using Microsoft.Extensions.Logging;
using ProtocolVmStatus = HaAgent.Protocol.Messages.VmStatus;
using WatcherVmStatus = HaAgent.Agent.Vms.VmStatus;

namespace HaAgent.Agent.Link;

/// <summary>
/// The agent's side of TRANSPORT.md, three loops: (1) Hello (again when the fence identity or the leader's epoch
/// changes), VM reports (coalesced after a change, full list every <see cref="CoordinatorLinkOptions.ReportInterval"/>),
/// VM definitions (when their hash changes) and self-fence reports; (2) the network heartbeat every heartbeat interval,
/// whose ack raises the order gate's floor; (3) the order loop: long poll → <see cref="OrderDispatcher"/> → result,
/// retried until a leader takes it or a newer leader makes it moot.
/// </summary>
internal sealed partial class AgentLink
{
    /// <summary>
    /// The protocol has no "running, pid not known yet" (a pid is required for running/hung): a live VM is never left
    /// out of a report, so it goes with this placeholder until the watcher has found its QEMU (test-driver VMs have none).
    /// </summary>
    internal const long UnknownPid = 1;

    private readonly CoordinatorClient _client;
    private readonly OrderDispatcher _orders;
    private readonly VmWatcher _watcher;
    private readonly AgentIdentity _identity;
    private readonly AgentStateStore _state;
    private readonly Func<FenceIdentity> _fenceIdentity;
    private readonly DomainDefinitions _definitions;
    private readonly CoordinatorLinkOptions _options;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, string> _sentDefinitionHashes = new(StringComparer.Ordinal);
    private long _leaderEpoch;
    private volatile bool _helloNeeded = true;
    private long _heartbeatSequence;
    private string? _lastRefusedFrame;

    public AgentLink(
        CoordinatorClient client,
        OrderDispatcher orders,
        VmWatcher watcher,
        AgentIdentity identity,
        AgentStateStore state,
        Func<FenceIdentity> fenceIdentity,
        DomainDefinitions definitions,
        CoordinatorLinkOptions options,
        TimeSpan heartbeatInterval,
        TimeProvider time,
        ILogger<AgentLink> logger)
    {
        _client = client;
        _orders = orders;
        _watcher = watcher;
        _identity = identity;
        _state = state;
        _fenceIdentity = fenceIdentity;
        _definitions = definitions;
        _options = options;
        _heartbeatInterval = heartbeatInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>Stopwatch ticks from the newest VM change's input to the report that carried it being acknowledged (last report after a change).</summary>
    public TimeSpan? LastChangeToReport { get; private set; }

    public long ReportsDelivered => Interlocked.Read(ref _reportsDelivered);

    private long _reportsDelivered;

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Task.Run(() => ReportLoopAsync(cancellationToken), CancellationToken.None),
        Task.Run(() => HeartbeatLoopAsync(cancellationToken), CancellationToken.None),
        Task.Run(() => OrderLoopAsync(cancellationToken), CancellationToken.None));

    private async Task<SendOutcome> DeliverAsync(AgentMessage message, CancellationToken cancellationToken)
    {
        var outcome = await _client.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (outcome.Ack is { } ack)
        {
            _orders.ObserveEpoch(ack.Epoch);
            var previous = Interlocked.Exchange(ref _leaderEpoch, ack.Epoch);
            if (previous != 0 && ack.Epoch != previous)
            {
                // A new leader: tell it who we are and what we run, without waiting for the next change.
                _helloNeeded = true;
                _wake.Release();
            }
        }
        return outcome;
    }

    private async Task ReportLoopAsync(CancellationToken cancellationToken)
    {
        FenceIdentity? helloSent = null;
        var reportDue = true;
        var nextFull = _time.GetUtcNow();
        long changeInput = 0;
        DateTimeOffset reportedSelfFencesUpTo = DateTimeOffset.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var ok = true;
                var fence = _fenceIdentity();
                if (_helloNeeded || helloSent is null || !Same(fence, helloSent))
                {
                    _helloNeeded = false;
                    var hello = new HelloMessage(_identity.HostId, _identity.Incarnation, AgentVersion, ["fence", "unfence", "start-vm", "stop-vm"], fence);
                    if ((await DeliverAsync(hello, cancellationToken).ConfigureAwait(false)).Delivered)
                    {
                        helloSent = fence;
                        _sentDefinitionHashes.Clear();
                        LogHelloDelivered(_identity.Incarnation, _client.PreferredEndpoint.ToString(), fence.CephClientAddresses.Count);
                    }
                    else
                    {
                        _helloNeeded = true;
                        ok = false;
                    }
                }

                if (ok && (reportDue || _time.GetUtcNow() >= nextFull))
                {
                    var report = new VmReportMessage(_identity.HostId, _identity.Incarnation, Report(_watcher.Snapshot()));
                    if ((await DeliverAsync(report, cancellationToken).ConfigureAwait(false)).Delivered)
                    {
                        Interlocked.Increment(ref _reportsDelivered);
                        if (reportDue && changeInput != 0)
                        {
                            LastChangeToReport = Stopwatch.GetElapsedTime(changeInput);
                        }
                        reportDue = false;
                        changeInput = 0;
                        nextFull = _time.GetUtcNow() + _options.ReportInterval;
                    }
                    else
                    {
                        ok = false;
                    }
                }

                if (ok)
                {
                    (ok, reportedSelfFencesUpTo) = await ReportSelfFencesAsync(reportedSelfFencesUpTo, cancellationToken).ConfigureAwait(false);
                }
                if (ok)
                {
                    ok = await SendDefinitionsAsync(cancellationToken).ConfigureAwait(false);
                }

                var wait = nextFull - _time.GetUtcNow();
                if (!ok && wait > _options.RetryDelay)
                {
                    wait = _options.RetryDelay;
                }
                var input = await WaitForChangeAsync(wait, cancellationToken).ConfigureAwait(false);
                if (input != 0)
                {
                    // Let a burst of changes (a self-fence stopping every VM) settle into one report.
                    if (_options.ReportCoalesce > TimeSpan.Zero)
                    {
                        await Task.Delay(_options.ReportCoalesce, _time, cancellationToken).ConfigureAwait(false);
                    }
                    while (_watcher.Changes.TryRead(out var more))
                    {
                        input = Math.Min(input, more.InputTimestamp);
                    }
                    changeInput = changeInput == 0 ? input : Math.Min(changeInput, input);
                    reportDue = true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits for a VM change (returns its input timestamp), a wake-up or the timeout (0).</summary>
    private async Task<long> WaitForChangeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_watcher.Changes.TryRead(out var ready))
        {
            return ready.InputTimestamp;
        }
        if (wait <= TimeSpan.Zero)
        {
            return 0;
        }
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var change = _watcher.Changes.WaitToReadAsync(waiting.Token).AsTask();
        var wake = _wake.WaitAsync(waiting.Token);
        var timeout = Task.Delay(wait, _time, waiting.Token);
        await Task.WhenAny(change, wake, timeout).ConfigureAwait(false);
        waiting.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        return _watcher.Changes.TryRead(out var change2) ? change2.InputTimestamp : 0;
    }

    private async Task<(bool Ok, DateTimeOffset UpTo)> ReportSelfFencesAsync(DateTimeOffset upTo, CancellationToken cancellationToken)
    {
        foreach (var record in _state.Current.PendingSelfFences.Where(r => r.At > upTo))
        {
            var killed = record.StoppedVms.Concat(record.Killed).Distinct(StringComparer.Ordinal).Where(MessageValidator.IsId).ToArray();
            var reason = OrderResults.Text(record.Failed.Count == 0 ? record.Reason : $"{record.Reason}; failed: {string.Join("; ", record.Failed)}");
            var report = new SelfFenceReportMessage(_identity.HostId, _identity.Incarnation, reason, killed);
            if (!(await DeliverAsync(report, cancellationToken).ConfigureAwait(false)).Delivered)
            {
                return (false, upTo);
            }
            upTo = record.At;
            LogSelfFenceReported(record.At, killed.Length);
        }
        return (true, upTo);
    }

    private async Task<bool> SendDefinitionsAsync(CancellationToken cancellationToken)
    {
        foreach (var vm in _watcher.Snapshot())
        {
            if (!MessageValidator.IsId(vm.Name))
            {
                continue;
            }
            string? xml;
            try
            {
                xml = await _definitions.ReadAsync(vm.Uuid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDefinitionUnreadable(vm.Name, e.Message);
                continue;
            }
            if (xml is null || xml.Length > Protocol.ProtocolLimits.MaxDomainXmlChars)
            {
                continue;
            }
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(xml)));
            if (_sentDefinitionHashes.TryGetValue(vm.Name, out var sent) && sent == hash)
            {
                continue;
            }
            var definition = new VmDefinitionMessage(_identity.HostId, _identity.Incarnation, vm.Name, xml);
            if (!(await DeliverAsync(definition, cancellationToken).ConfigureAwait(false)).Delivered)
            {
                return false;
            }
            _sentDefinitionHashes[vm.Name] = hash;
        }
        return true;
    }

    private async Task HeartbeatLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_heartbeatInterval, _time);
        try
        {
            do
            {
                var heartbeat = new HeartbeatMessage(_identity.HostId, _identity.Incarnation, Interlocked.Increment(ref _heartbeatSequence), _orders.Highest);
                await DeliverAsync(heartbeat, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task OrderLoopAsync(CancellationToken cancellationToken)
    {
        var received = default(OrderStamp);
        OrderResultMessage? pending = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (pending is not null)
                {
                    if (pending.Stamp.Epoch < Interlocked.Read(ref _leaderEpoch))
                    {
                        // A newer leader ignores results of older epochs: stop retrying.
                        LogResultUndelivered(pending.OrderId, "superseded by a newer leader");
                        pending = null;
                        continue;
                    }
                    if ((await DeliverAsync(pending, cancellationToken).ConfigureAwait(false)).Delivered)
                    {
                        pending = null;
                    }
                    else
                    {
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }

                var poll = await _client.PollAsync(new OrderPollMessage(_identity.HostId, _identity.Incarnation, received), cancellationToken)
                    .ConfigureAwait(false);
                switch (poll.Status)
                {
                    case PollStatus.Order:
                        var order = poll.Order!;
                        if (order.Stamp > received)
                        {
                            received = order.Stamp;
                        }
                        _lastRefusedFrame = null;
                        pending = await _orders.ExecuteAsync(order, cancellationToken).ConfigureAwait(false);
                        break;
                    case PollStatus.Empty:
                        break;
                    case PollStatus.Refused:
                        if (!string.Equals(_lastRefusedFrame, poll.Problem, StringComparison.Ordinal))
                        {
                            _lastRefusedFrame = poll.Problem;
                            LogOrderFrameRefused(poll.Problem ?? "");
                        }
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    internal static IReadOnlyList<ProtocolVmStatus> Report(IReadOnlyList<VmEntry> table) =>
    [
        .. table.Where(vm => vm.Status != WatcherVmStatus.Unknown && MessageValidator.IsId(vm.Name)).Select(vm => vm.Status switch
        {
            WatcherVmStatus.Running or WatcherVmStatus.Paused => new ProtocolVmStatus(vm.Name, VmRunState.Running, vm.QemuPid ?? UnknownPid),
            WatcherVmStatus.Hung => new ProtocolVmStatus(vm.Name, VmRunState.Hung, vm.QemuPid ?? UnknownPid),
            // A crashed guest whose QEMU is still there (on_crash=preserve) still holds its volumes: report it as hung.
            WatcherVmStatus.Crashed when vm.QemuPid is { } pid => new ProtocolVmStatus(vm.Name, VmRunState.Hung, pid),
            WatcherVmStatus.Crashed => new ProtocolVmStatus(vm.Name, VmRunState.Crashed, null),
            _ => new ProtocolVmStatus(vm.Name, VmRunState.Stopped, null),
        }),
    ];

    private static bool Same(FenceIdentity a, FenceIdentity b) =>
        string.Equals(a.IscsiPrKey, b.IscsiPrKey, StringComparison.Ordinal) && a.CephClientAddresses.SequenceEqual(b.CephClientAddresses, StringComparer.Ordinal);

    private static string AgentVersion => typeof(AgentLink).Assembly.GetName().Version?.ToString() ?? "0";

    [LoggerMessage(EventId = AgentEventIds.HelloDelivered, Level = LogLevel.Information,
        Message = "Hello delivered (incarnation {Incarnation}) to {Endpoint}; {Addresses} Ceph address(es) advertised")]
    private partial void LogHelloDelivered(long incarnation, string endpoint, int addresses);

    [LoggerMessage(EventId = AgentEventIds.DefinitionUnreadable, Level = LogLevel.Warning, Message = "Definition of {Vm} not readable: {Error}")]
    private partial void LogDefinitionUnreadable(string vm, string error);

    [LoggerMessage(EventId = AgentEventIds.ResultUndelivered, Level = LogLevel.Warning, Message = "Result of order {OrderId} dropped: {Why}")]
    private partial void LogResultUndelivered(string orderId, string why);

    [LoggerMessage(EventId = AgentEventIds.OrderFrameRefused, Level = LogLevel.Error, Message = "Order frame refused, nothing executed: {Problem}")]
    private partial void LogOrderFrameRefused(string problem);

    [LoggerMessage(EventId = AgentEventIds.SelfFenceReported, Level = LogLevel.Warning, Message = "Self-fence of {At:o} reported to the coordinator ({Vms} VM(s))")]
    private partial void LogSelfFenceReported(DateTimeOffset at, int vms);
}
