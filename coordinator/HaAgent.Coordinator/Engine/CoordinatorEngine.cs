using System.Diagnostics;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Api;
using HaAgent.Coordinator.Engine.Metrics;
using HaAgent.Coordinator.Engine.Storage;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Core.Placement;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Engine;

/// <summary>
/// Hosts the decision core (HaCoordinator + RestartPlanner) while this instance leads. Per term: load the documents
/// and the previous leader's snapshot, build the core, then step it every <see cref="EngineOptions.IterationPeriod"/>
/// (sooner when an agent message arrives). After a step that decided something, its audit records and the new
/// snapshot are committed in one fenced transaction, and only then are its orders sent. A lost leadership (timer, or
/// the store refusing a commit) ends the term at once: orders queued for agents are cleared and the core dropped.
/// </summary>
internal sealed partial class CoordinatorEngine : BackgroundService
{
    private readonly ICoordinatorStore _store;
    private readonly ApiStore _documents;
    private readonly AgentMessageSink _sink;
    private readonly IAgentOrderOutbox? _outbox;
    private readonly StorageHeartbeatMonitor? _heartbeats;
    private readonly EngineMetrics _metrics;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CoordinatorEngine> _logger;
    private static readonly int HostStateCount = Enum.GetValues<HostState>().Length;
    private readonly IPlacementPlanner _planner = new RestartPlanner();

    private CoordinatorEnvironment? _env;
    private HaCoordinator? _core;
    private TermState _term = new();
    private long _incrementalChanges;
    private long _rebuilds;
    private long _vmHostsWritten;

    public CoordinatorEngine(
        ICoordinatorStore store,
        ApiStore documents,
        AgentMessageSink sink,
        IAgentOrderOutbox? outbox,
        StorageHeartbeatMonitor? heartbeats,
        EngineMetrics metrics,
        IOptions<EngineOptions> options,
        TimeProvider time,
        ILogger<CoordinatorEngine> logger)
    {
        _store = store;
        _documents = documents;
        _sink = sink;
        _outbox = outbox;
        _heartbeats = heartbeats;
        _metrics = metrics;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The core of the current term, for tests (read it only while the engine is idle between steps).</summary>
    internal HaCoordinator? Core => _core;

    /// <summary>How long the last term's load (documents, agents, snapshot, core) took.</summary>
    internal TimeSpan LastLoad { get; private set; }

    /// <summary>How long the last rebuild after a document change took.</summary>
    internal TimeSpan LastRebuild { get; private set; }

    /// <summary>How long the last incremental application of document changes took (reading the changed documents included).</summary>
    internal TimeSpan LastIncremental { get; private set; }

    /// <summary>Document changes applied to the live core without a rebuild, this process's lifetime.</summary>
    internal long IncrementalChanges => Volatile.Read(ref _incrementalChanges);

    /// <summary>VM documents whose "host" the engine wrote, this process's lifetime.</summary>
    internal long VmHostsWritten => Volatile.Read(ref _vmHostsWritten);

    /// <summary>VM documents whose "host" is still to be written.</summary>
    internal int VmHostsPending => _term.HostWrites.Count;

    /// <summary>Full rebuilds after document changes, this process's lifetime.</summary>
    internal long Rebuilds => Volatile.Read(ref _rebuilds);

    /// <summary>How long the last snapshot + audit commit took (serialising the placement included).</summary>
    internal TimeSpan LastCommit { get; private set; }

    /// <summary>Steps taken in the current term.</summary>
    internal long Steps => Volatile.Read(ref _term.Steps);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }
        if (_outbox is null)
        {
            Log.NoOutbox(_logger);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_store.CurrentLeadership is { IsLost: false } leadership)
            {
                try
                {
                    await RunTermAsync(leadership, _outbox, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A bug must not leave a leader that silently stops deciding: log, end the term, and start over.
                    Log.Failed(_logger, leadership.Epoch, e);
                    await DelayAsync(_options.IterationPeriod * 5, stoppingToken).ConfigureAwait(false);
                }
                continue;
            }
            await DelayAsync(_options.IterationPeriod, stoppingToken).ConfigureAwait(false);
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunTermAsync(Leadership leadership, IAgentOrderOutbox outbox, CancellationToken stoppingToken)
    {
        using var held = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.Lost);
        var cancellationToken = held.Token;
        var env = new CoordinatorEnvironment(leadership, _time, _heartbeats, _logger);
        _env = env;
        _term = new TermState();
        _sink.Attach(env);
        _metrics.SetLeaderEpoch(leadership.Epoch);
        Log.Leading(_logger, leadership.Epoch);
        var reason = "leadership lost";
        try
        {
            if (!await LoadAsync(env, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            while (!cancellationToken.IsCancellationRequested && !leadership.IsLost)
            {
                await env.WaitForWorkAsync(_options.IterationPeriod, cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested || leadership.IsLost)
                {
                    break;
                }
                var unavailable = (string message) => Log.StoreUnavailable(_logger, message);
                if (!await TryStoreStepAsync(leadership, () => ApplyAgentUpdatesAsync(env, cancellationToken), unavailable).ConfigureAwait(false)
                    || !await TryStoreStepAsync(leadership, () => PollChangesAsync(env, cancellationToken), unavailable).ConfigureAwait(false))
                {
                    break;
                }
                Step(env);
                if (!await CommitAsync(env, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
                await DispatchAsync(env, outbox, cancellationToken).ConfigureAwait(false);
                if (!await TryStoreStepAsync(leadership, () => FlushVmHostsAsync(leadership, cancellationToken), unavailable).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (NotLeaderException)
        {
            Refused(leadership);
            reason = "the store refused a write: another instance leads";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = stoppingToken.IsCancellationRequested ? "service stopping" : "leadership lost";
        }
        finally
        {
            _sink.Detach(env);
            outbox.Clear();
            _core = null;
            _env = null;
            _metrics.ClearVerdicts();
            _metrics.SetLeaderEpoch(0);
            Log.Stopped(_logger, leadership.Epoch, reason);
        }
    }

    /// <summary>Runs a store step; false when leadership is gone. A store that does not answer skips the step's store work this round.</summary>
    private static async Task<bool> TryStoreStepAsync(Leadership leadership, Func<Task> step, Action<string> unavailable)
    {
        try
        {
            await step().ConfigureAwait(false);
            return true;
        }
        catch (NotLeaderException)
        {
            Refused(leadership);
            return false;
        }
        catch (StoreUnavailableException e)
        {
            unavailable(e.Message);
            return true;
        }
    }

    /// <summary>
    /// The store refused a write of this term: someone else leads even if our lease timer has not fired yet. Mark the
    /// leadership lost so nothing (this engine's next term, the API) acts on it again; the leadership service then
    /// campaigns afresh.
    /// </summary>
    private static void Refused(Leadership leadership)
    {
        leadership.MarkLost(LeadershipLossReason.Superseded);
    }

    private void Step(CoordinatorEnvironment env)
    {
        var core = _core!;
        while (_heartbeats?.TryTakeSelfFence(out var record) == true)
        {
            env.Observe(new HaAgent.Core.Observations.SelfFenceReport(_time.GetUtcNow(), record.HostId, record.Incarnation, []));
        }
        var started = Stopwatch.GetTimestamp();
        var auditedBefore = env.PendingAudit.Count;
        core.DoOneIteration();
        _metrics.ObserveIteration(Stopwatch.GetElapsedTime(started));
        if (_term.Rebuilt)
        {
            _term.Rebuilt = false;
            var index = env.PendingAudit.FindIndex(auditedBefore, static r => r.Kind == HaAgent.Core.Env.AuditKind.EpochChanged);
            if (index >= 0)
            {
                env.PendingAudit.RemoveAt(index);
            }
        }
        Interlocked.Increment(ref _term.Steps);
        var counts = new int[HostStateCount];
        core.CountHostStates(counts);
        _metrics.SetVerdicts(counts);
    }
}
