using System.Collections.Concurrent;
using System.Threading.Channels;
using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Env;
using HaAgent.Core.Observations;
using AgentMessage = HaAgent.Protocol.Messages.AgentMessage;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// The decision core's real world for one term of leadership. Observations come from agents (through
/// <see cref="Accept"/>, on request threads) and from the engine; storage heartbeats from memory. Orders and audit
/// records are only collected during a step: the engine commits the records with the new snapshot first and sends
/// the orders after, so nothing is ever ordered that a crash could leave unrecorded.
/// </summary>
internal sealed partial class CoordinatorEnvironment : IHaEnvironment
{
    private readonly ConcurrentQueue<Observation> _observations = new();
    private readonly ConcurrentQueue<(AgentMessage Message, DateTimeOffset ReceivedAt)> _agentUpdates = new();
    private readonly ConcurrentDictionary<string, InFlightOrder> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VmReport> _lastVmReports = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly StorageHeartbeatMonitor? _heartbeats;
    private readonly ILogger _logger;
    private readonly List<object> _orders = [];
    private readonly List<AuditRecord> _audit = [];

    public CoordinatorEnvironment(Leadership leadership, TimeProvider time, StorageHeartbeatMonitor? heartbeats, ILogger logger)
    {
        Leadership = leadership;
        Time = time;
        _heartbeats = heartbeats;
        _logger = logger;
    }

    public Leadership Leadership { get; }

    public TimeProvider Time { get; }

    /// <summary>The leadership epoch while it holds; 0 the moment it is lost, so the core orders nothing more.</summary>
    public long Epoch => Leadership.IsLost ? 0 : Leadership.Epoch;

    /// <summary>Orders of the steps since the last dispatch (core order records), oldest first.</summary>
    public List<object> Orders => _orders;

    /// <summary>Audit records not committed yet, oldest first.</summary>
    public List<AuditRecord> PendingAudit => _audit;

    public int InFlightCount => _inFlight.Count;

    public bool TryTakeObservation([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Observation? observation) =>
        _observations.TryDequeue(out observation);

    public bool TryReadStorageHeartbeat(string hostId, out StorageHeartbeat heartbeat)
    {
        if (_heartbeats is null)
        {
            heartbeat = default;
            return false;
        }
        return _heartbeats.TryRead(hostId, out heartbeat);
    }

    public void OrderFence(FenceOrder order) => _orders.Add(order);

    public void OrderUnfence(UnfenceOrder order) => _orders.Add(order);

    public void OrderStart(VmStartOrder order) => _orders.Add(order);

    public void OrderStop(VmStopOrder order) => _orders.Add(order);

    public void Audit(AuditRecord record) => _audit.Add(record);

    /// <summary>
    /// Feeds each host's latest VM report to a core just rebuilt from fresh documents. Agents report a change once and
    /// then only every few seconds in full: a VM registered right after its host reported it would otherwise wait for
    /// the next full report to be adopted. The latest report is what the previous core knew, so this changes no verdict.
    /// </summary>
    public void ReplayLastVmReports()
    {
        foreach (var report in _lastVmReports.Values)
        {
            Observe(report);
        }
    }

    /// <summary>Queues an observation for the next step and wakes the engine.</summary>
    public void Observe(Observation observation)
    {
        _observations.Enqueue(observation);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Hello and VmDefinition messages: they need the store, so the engine loop handles them.</summary>
    public bool TryTakeAgentUpdate(out (AgentMessage Message, DateTimeOffset ReceivedAt) update) => _agentUpdates.TryDequeue(out update);

    /// <summary>Waits until something arrived or <paramref name="period"/> passed.</summary>
    public async Task WaitForWorkAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(period);
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Remembers a sent order so its result can be mapped back; called while the outbox stamps it.</summary>
    public void Track(string orderId, InFlightOrder order) => _inFlight[orderId] = order;

    /// <summary>Drops orders unanswered for longer than <paramref name="maxAge"/> (the core re-issues them under new ids).</summary>
    public void ForgetOlderThan(DateTimeOffset cutoff)
    {
        foreach (var (id, order) in _inFlight)
        {
            if (order.SentAt < cutoff)
            {
                _inFlight.TryRemove(id, out _);
            }
        }
    }
}
