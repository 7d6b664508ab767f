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
/// VM definitions (when their hash changes) and self-fence reports; (2) the network heartbeat every heartbeat interval
/// (<see cref="SendHeartbeatAsync"/>, driven by the agent's heartbeat tick), whose ack raises the order gate's floor; (3) the order loop: long poll → <see cref="OrderDispatcher"/> → result,
/// retried until a leader takes it or a newer leader makes it moot.
/// </summary>
internal sealed partial class AgentLink
{
    private readonly CoordinatorClient _client;
    private readonly OrderDispatcher _orders;
    private readonly VmWatcher _watcher;
    private readonly AgentIdentity _identity;
    private readonly AgentStateStore _state;
    private readonly Func<FenceIdentity> _fenceIdentity;
    private readonly DomainDefinitions _definitions;
    private readonly CoordinatorLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, string> _sentDefinitionHashes = new(StringComparer.Ordinal);
    private long _leaderEpoch;
    private volatile bool _helloNeeded = true;
    private long _heartbeatSequence;
    private long _reportsDelivered;
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
        _time = time;
        _logger = logger;
    }

    /// <summary>From the input of the oldest VM change a report carried to that report being acknowledged (the last such report).</summary>
    public TimeSpan? LastChangeToReport { get; private set; }

    public long ReportsDelivered => Interlocked.Read(ref _reportsDelivered);

    /// <summary>The report and order loops; the network heartbeat is sent by the agent's heartbeat tick (<see cref="SendHeartbeatAsync"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        GuardedAsync("report", ReportLoopAsync, cancellationToken),
        GuardedAsync("order", OrderLoopAsync, cancellationToken));

    /// <summary>A loop that fails unexpectedly is logged and started again: one bad input must not silence the link (and so self-fence the host).</summary>
    private async Task GuardedAsync(string name, Func<CancellationToken, Task> loop, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Run(() => loop(cancellationToken), CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogLoopFailed(name, e);
            }
            try
            {
                await Task.Delay(_options.RetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

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

    internal static IReadOnlyList<ProtocolVmStatus> Report(IReadOnlyList<VmEntry> table) =>
    [
        // A live VM whose QEMU is not known (yet; test-driver VMs never have one) goes without a pid: the pid is optional.
        .. table.Where(vm => vm.Status != WatcherVmStatus.Unknown && MessageValidator.IsId(vm.Name)).Select(vm => vm.Status switch
        {
            WatcherVmStatus.Running or WatcherVmStatus.Paused => new ProtocolVmStatus(vm.Name, VmRunState.Running, vm.QemuPid),
            WatcherVmStatus.Hung => new ProtocolVmStatus(vm.Name, VmRunState.Hung, vm.QemuPid),
            // A crashed guest whose QEMU is still there (on_crash=preserve) still holds its volumes: report it as hung.
            WatcherVmStatus.Crashed when vm.QemuPid is { } pid => new ProtocolVmStatus(vm.Name, VmRunState.Hung, pid),
            WatcherVmStatus.Crashed => new ProtocolVmStatus(vm.Name, VmRunState.Crashed, null),
            _ => new ProtocolVmStatus(vm.Name, VmRunState.Stopped, null),
        }),
    ];

    private static bool Same(FenceIdentity a, FenceIdentity b) =>
        string.Equals(a.IscsiPrKey, b.IscsiPrKey, StringComparison.Ordinal) && a.CephClientAddresses.SequenceEqual(b.CephClientAddresses, StringComparer.Ordinal);

    private static string AgentVersion => typeof(AgentLink).Assembly.GetName().Version?.ToString() ?? "0";
}
