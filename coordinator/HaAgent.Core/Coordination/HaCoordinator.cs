using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Coordination;

/// <summary>
/// The fence-first HA state machine. One <see cref="DoOneIteration"/> consumes what was observed, judges every host,
/// drives fences and restarts, and writes every decision to the audit log with its evidence. It never restarts a VM
/// whose previous host may still write its volumes: release needs a verified fence, a self-fence report, or the
/// host's own agent saying the VM stopped.
/// </summary>
public sealed partial class HaCoordinator
{
    private readonly IHaEnvironment _env;
    private readonly IPlacementPlanner _planner;
    private readonly CoordinatorOptions _options;
    // Arrays sorted by id (the step walks them; a configuration change replaces them, see HaCoordinator.Configuration).
    private HostRecord[] _hosts;
    private readonly Dictionary<string, HostRecord> _hostById;
    private VmRecord[] _vms;
    private readonly Dictionary<string, VmRecord> _vmById;
    private IReadOnlyList<PlacementRule> _rules;
    private long _epoch;
    private bool _stormGuard;
    private int _pendingVms;
    private int _vmOrdersInFlight;
    private long _orderSequence;
    private readonly HashSet<string> _changedVms = new(StringComparer.Ordinal);

    public HaCoordinator(IHaEnvironment env, IPlacementPlanner planner, CoordinatorOptions options, HaCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cluster);
        options.Validate();
        _env = env;
        _planner = planner;
        _options = options;
        _rules = cluster.Rules;

        var identities = new Dictionary<string, HostFenceIdentity>(StringComparer.Ordinal);
        foreach (var identity in cluster.FenceIdentities)
        {
            identities[identity.HostId] = identity;
        }
        var now = env.Time.GetUtcNow();
        _hosts = [.. cluster.Hosts.OrderBy(h => h.Id, StringComparer.Ordinal).Select(spec =>
            new HostRecord(spec, identities.TryGetValue(spec.Id, out var id)
                ? id
                : throw new ArgumentException($"host {spec.Id} has no fence identity", nameof(cluster)))
            {
                State = HostState.Healthy,
                StateSince = now,
                // Silence is measured from the coordinator's start, not from the epoch: a fresh leader first waits.
                LastNetworkHeartbeat = now,
                LastStorageAdvance = now,
            })];
        _hostById = _hosts.ToDictionary(h => h.Id, StringComparer.Ordinal);

        foreach (var (hostId, targets) in cluster.Fenced ?? new Dictionary<string, IReadOnlyList<FenceTarget>>())
        {
            if (!_hostById.TryGetValue(hostId, out var fenced))
            {
                // A host removed while fenced: still cut off from storage, kept until it is registered again.
                if (targets.Count > 0)
                {
                    _removedFenced[hostId] = [.. targets];
                }
            }
            else
            {
                // A verified fence released the host's VMs, so none is still placed on it. One that still is means the
                // previous leader was mid-fence: its fence may be half applied and is unproven.
                var midFence = cluster.Placement.Values.Contains(hostId, StringComparer.Ordinal);
                fenced.FencedTargets = [.. targets];
                if (midFence && cluster.Fencing?.TryGetValue(hostId, out var inProgress) == true)
                {
                    // That leader ordered the fence on its evidence and did not see it end: continued at the first
                    // leading step under this leader's token (EvaluateHost). Fencing again is the safe direction; the
                    // VMs are still released only once this leader's own fence is proven.
                    fenced.State = HostState.Fencing;
                    fenced.ContinueFence = inProgress;
                }
                else
                {
                    // Not known to be in progress (an older snapshot): judged like a failed round. Heard again → the
                    // half fence is lifted and its VMs stay; silent → a new round after the dead-after time of this
                    // coordinator's own observation.
                    fenced.State = midFence ? HostState.FenceFailed : HostState.Fenced;
                    fenced.NextFenceRoundAt = now + options.NetworkDeadAfter;
                }
            }
        }

        _vms = [.. cluster.Vms.OrderBy(v => v.Id, StringComparer.Ordinal).Select(spec => new VmRecord(spec) { Since = now })];
        _vmById = _vms.ToDictionary(v => v.Id, StringComparer.Ordinal);
        foreach (var vm in _vms)
        {
            if (cluster.Placement.TryGetValue(vm.Id, out var hostId) && _hostById.TryGetValue(hostId, out var host)
                && host.State is HostState.Healthy or HostState.FenceFailed or HostState.Fencing)
            {
                SetVm(vm, VmState.Running, hostId, now);
            }
            else if (cluster.Released?.Contains(vm.Id) == true)
            {
                vm.ReleaseEvidence = "released by a previous leader";
                SetVm(vm, VmState.Pending, null, now);
            }
        }
        _changedVms.Clear(); // the starting state is the caller's to persist whole; changes count from here
    }

    /// <summary>The current verdict on a host.</summary>
    public HostState HostStateOf(string hostId) => _hostById[hostId].State;

    /// <summary>The current state of a VM and the host it is assigned to (null when pending or unknown).</summary>
    public (VmState State, string? HostId) VmStateOf(string vmId)
    {
        var vm = _vmById[vmId];
        return (vm.State, vm.HostId);
    }

    /// <summary>Like <see cref="VmStateOf"/>, false for a VM this coordinator does not manage (never given, or removed).</summary>
    public bool TryGetVmState(string vmId, out VmState state, out string? hostId)
    {
        if (_vmById.TryGetValue(vmId, out var vm))
        {
            (state, hostId) = (vm.State, vm.HostId);
            return true;
        }
        (state, hostId) = (VmState.Unknown, null);
        return false;
    }

    /// <summary>Adds the number of hosts in each state to <paramref name="countsByState"/> (indexed by <see cref="HostState"/>).</summary>
    public void CountHostStates(Span<int> countsByState)
    {
        foreach (var host in _hosts)
        {
            countsByState[(int)host.State]++;
        }
    }

    /// <summary>True when a host is being fenced, is returning or is being unfenced: work a full rebuild would forget.</summary>
    public bool AnyHostInTransition()
    {
        foreach (var host in _hosts)
        {
            if (host.State is HostState.Fencing or HostState.Returning or HostState.Unfencing)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The VMs assigned to a host (running, starting or stopping there), by id: one pass, no whole snapshot.</summary>
    public IReadOnlyList<string> VmsAssignedTo(string hostId)
    {
        var assigned = new List<string>();
        foreach (var vm in _vms)
        {
            if (IsAssigned(vm.State) && string.Equals(vm.HostId, hostId, StringComparison.Ordinal))
            {
                assigned.Add(vm.Id);
            }
        }
        return assigned;
    }

    /// <summary>True when the coordinator manages this host.</summary>
    public bool HasHost(string hostId) => _hostById.ContainsKey(hostId);

    /// <summary>Number of VMs managed (HA-protected VMs given or added).</summary>
    public int VmCount => _vms.Length;

    /// <summary>Number of hosts managed.</summary>
    public int HostCount => _hosts.Length;

    /// <summary>
    /// Moves the ids of the VMs whose state or host changed (or that were removed) since the last call into
    /// <paramref name="into"/>, so a caller can persist or publish just those instead of a whole <see cref="Snapshot"/>.
    /// The state the coordinator was built with is not reported.
    /// </summary>
    public void TakeChangedVms(ICollection<string> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (var id in _changedVms)
        {
            into.Add(id);
        }
        _changedVms.Clear();
    }

    /// <summary>The fenced part of <see cref="Snapshot"/> alone (a handful of hosts; no walk over the VMs).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>> FencedSnapshot()
    {
        var fenced = new Dictionary<string, IReadOnlyList<FenceTarget>>(StringComparer.Ordinal);
        foreach (var host in _hosts)
        {
            if (host.FencedTargets is { Count: > 0 })
            {
                fenced[host.Id] = [.. host.FencedTargets];
            }
        }
        AddRemovedFenced(fenced);
        return fenced;
    }

    /// <summary>
    /// Fences ordered and not yet verified or given up, by victim: persist them with <see cref="Snapshot"/> and feed
    /// them back as <see cref="HaCluster.Fencing"/>, so a successor continues them at once instead of waiting for its
    /// own <see cref="CoordinatorOptions.NetworkDeadAfter"/> of silence. A handful of hosts; one pass, no VM walk.
    /// </summary>
    public IReadOnlyDictionary<string, FenceInProgress> FencesInProgress()
    {
        Dictionary<string, FenceInProgress>? fencing = null;
        foreach (var host in _hosts)
        {
            if (host.State != HostState.Fencing)
            {
                continue;
            }
            var entry = host.ContinueFence
                ?? (host.Fence is { Current: { } attempt } round ? new FenceInProgress(attempt.Token, attempt.FenceId, attempt.ExecutorHostId, round.VerdictEvidence) : null);
            if (entry is not null)
            {
                (fencing ??= new Dictionary<string, FenceInProgress>(StringComparer.Ordinal))[host.Id] = entry;
            }
        }
        return fencing ?? NoFenceInProgress;
    }

    private static readonly IReadOnlyDictionary<string, FenceInProgress> NoFenceInProgress = new Dictionary<string, FenceInProgress>(StringComparer.Ordinal);

    /// <summary>
    /// What a successor must start from (persist it after every step that audited something): where VMs are assigned
    /// which hosts are fenced with what, which VMs are released and not restarted yet. Feed it back as
    /// <see cref="HaCluster.Placement"/>, <see cref="HaCluster.Fenced"/> and <see cref="HaCluster.Released"/>.
    /// </summary>
    public (IReadOnlyDictionary<string, string> Placement, IReadOnlyDictionary<string, IReadOnlyList<FenceTarget>> Fenced, IReadOnlyList<string> Released) Snapshot()
    {
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var vm in _vms)
        {
            if (vm.HostId is not null && IsAssigned(vm.State))
            {
                placement[vm.Id] = vm.HostId;
            }
        }
        var fenced = new Dictionary<string, IReadOnlyList<FenceTarget>>(StringComparer.Ordinal);
        foreach (var host in _hosts)
        {
            if (host.FencedTargets is { Count: > 0 })
            {
                fenced[host.Id] = [.. host.FencedTargets];
            }
        }
        AddRemovedFenced(fenced);
        var released = new List<string>();
        foreach (var vm in _vms)
        {
            if (vm.State == VmState.Pending)
            {
                released.Add(vm.Id);
            }
        }
        return (placement, fenced, released);
    }

    /// <summary>
    /// Takes the fence identity a host's agent announced (a restarted agent has new Ceph client nonces). Fences
    /// already ordered keep their targets; the next one uses this. False for a host this coordinator does not know.
    /// </summary>
    public bool UpdateFenceIdentity(HostFenceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (!_hostById.TryGetValue(identity.HostId, out var host))
        {
            return false;
        }
        host.Identity = identity;
        return true;
    }

    /// <summary>True while more than the configured share of hosts is silent and fencing is held back.</summary>
    public bool FencingStormGuardEngaged => _stormGuard;

    /// <summary>One decision step. Cheap when nothing changes: no allocation per host.</summary>
    public void DoOneIteration()
    {
        var now = _env.Time.GetUtcNow();
        var epoch = _env.Epoch;
        if (epoch != _epoch)
        {
            OnEpochChanged(epoch, now);
        }
        while (_env.TryTakeObservation(out var observation))
        {
            Consume(observation, now);
        }
        var (watched, silent) = ReadStorageHeartbeats(now);
        if (_epoch <= 0)
        {
            return;
        }
        if (_addedVms.Count > 0)
        {
            RejudgeReportsOfAddedVms(now);
        }
        UpdateStormGuard(now, watched, silent);
        foreach (var host in _hosts)
        {
            EvaluateHost(host, now);
        }
        if (_vmOrdersInFlight > 0)
        {
            ProgressVmOrders(now);
        }
        if (_pendingVms > 0)
        {
            PlacePendingVms(now);
        }
    }

    private void SetVm(VmRecord vm, VmState state, string? hostId, DateTimeOffset now)
    {
        if (vm.HostId is not null && IsAssigned(vm.State))
        {
            var previous = _hostById[vm.HostId];
            previous.AssignedVms--;
            previous.AssignmentVersion++;
        }
        if (vm.State == VmState.Pending)
        {
            _pendingVms--;
        }
        if (vm.State is VmState.Starting or VmState.Stopping)
        {
            _vmOrdersInFlight--;
        }
        if (vm.State != state || !string.Equals(vm.HostId, hostId, StringComparison.Ordinal))
        {
            _changedVms.Add(vm.Id);
        }
        vm.State = state;
        vm.HostId = hostId;
        vm.Since = now;
        if (hostId is not null && IsAssigned(state))
        {
            var next = _hostById[hostId];
            next.AssignedVms++;
            next.AssignmentVersion++;
        }
        if (state == VmState.Pending)
        {
            _pendingVms++;
        }
        if (state is VmState.Starting or VmState.Stopping)
        {
            _vmOrdersInFlight++;
        }
    }

    private static bool IsAssigned(VmState state) => state is VmState.Running or VmState.Starting or VmState.Stopping;

    private void Audit(DateTimeOffset now, AuditKind kind, string subject, string decision, string evidence) =>
        _env.Audit(new AuditRecord(now, kind, subject, decision, evidence));

    private void ChangeState(HostRecord host, HostState next, DateTimeOffset now, string evidence)
    {
        if (host.State == next)
        {
            return;
        }
        Audit(now, AuditKind.StatusChange, host.Subject,
            $"status change {StateNames.Name(host.State)} => {StateNames.Name(next)}", evidence);
        host.State = next;
        host.StateSince = now;
    }

    private string NextOrderId(string kind, string subject) => $"{kind}-{subject}-{++_orderSequence}";

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.0}s";
}
