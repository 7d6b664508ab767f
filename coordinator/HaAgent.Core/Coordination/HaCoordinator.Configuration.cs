using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>
/// Configuration changes applied to the running coordinator (an operator adds a host, protects a VM, edits a rule),
/// so a change costs what it touches instead of a new coordinator built from every document. None of them orders
/// anything or releases a VM: a VM only ever restarts after the proof its old host no longer writes it, and a change
/// never stands in for that proof. What a change cannot apply safely right now it refuses (false), and the caller
/// applies it again later.
/// </summary>
public sealed partial class HaCoordinator
{
    private readonly HashSet<string> _addedVms = new(StringComparer.Ordinal);

    /// <summary>
    /// Fences still applied to hosts that were removed (never unfenced): such a host is still cut off from storage.
    /// Kept in the snapshot; a host re-added under the same id starts fenced and is unfenced only through the return path.
    /// </summary>
    private readonly Dictionary<string, List<FenceTarget>> _removedFenced = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds a VM (state unknown: adopted when an agent reports it running, never started blindly) or replaces an
    /// existing VM's spec (priority, group, size, volumes) keeping its state, host and orders in flight — a VM being
    /// started stays "starting" on its target, so the change can never cause a second start. False (nothing changed,
    /// apply it again later) when the volumes change while the VM's host is being fenced: that round cuts the volumes
    /// it was computed from, and a release proven on those must not stand for volumes it never cut.
    /// </summary>
    public bool UpsertVm(VmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_vmById.TryGetValue(spec.Id, out var vm))
        {
            if (!SameVolumes(vm.Spec.Volumes, spec.Volumes) && vm.HostId is { } hostId && IsAssigned(vm.State)
                && _hostById.TryGetValue(hostId, out var host) && host.State == HostState.Fencing)
            {
                return false;
            }
            vm.Spec = spec;
            if (vm.HostId is { } assignedTo && IsAssigned(vm.State) && _hostById.TryGetValue(assignedTo, out var assigned))
            {
                assigned.AssignmentVersion++; // its report is judged again against the new spec
            }
            return true;
        }
        vm = new VmRecord(spec) { Since = _env.Time.GetUtcNow() };
        var index = ~Array.BinarySearch(_vms, vm, VmById.Instance);
        _vms = Insert(_vms, index, vm);
        _vmById.Add(spec.Id, vm);
        // A host may already report it (registered after it started): the next step looks at the last reports again.
        _addedVms.Add(spec.Id);
        return true;
    }

    /// <summary>
    /// Stops managing a VM (unprotected or deleted). Nothing is ordered: a start in flight may still complete, and the
    /// VM then runs unwatched, as an unprotected VM does; protected again later it comes back unknown and is adopted
    /// from its host's report, not started. False when the VM was not managed.
    /// </summary>
    public bool RemoveVm(string vmId)
    {
        if (!_vmById.TryGetValue(vmId, out var vm))
        {
            return false;
        }
        var now = _env.Time.GetUtcNow();
        if (vm.State is VmState.Starting or VmState.Stopping && _epoch > 0)
        {
            Audit(now, AuditKind.ConfigurationChanged, vm.Subject,
                $"no longer HA-managed while {vm.State.ToString().ToLowerInvariant()} on {vm.HostId}; the order in flight is not followed",
                "operator change");
        }
        SetVm(vm, VmState.Unknown, null, now); // keeps the per-host and pending counters right
        var index = Array.BinarySearch(_vms, vm, VmById.Instance);
        _vms = RemoveAt(_vms, index);
        _vmById.Remove(vmId);
        _addedVms.Remove(vmId);
        _changedVms.Add(vmId);
        return true;
    }

    /// <summary>
    /// Adds a host (healthy, and judged only after <see cref="CoordinatorOptions.NetworkDeadAfter"/> of silence from
    /// now, like every host of a fresh coordinator) or replaces an existing host's capacity and failure-domain labels
    /// (its verdict, fence rounds and identity stay; <see cref="UpdateFenceIdentity"/> changes that; a removal still
    /// deferred is called off). A host removed while fenced comes back FENCED: it receives no VM until its agent is
    /// heard, its leftovers are stopped and its own agent lifted the fence (the return path).
    /// </summary>
    public void UpsertHost(HostSpec spec, HostFenceIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(identity);
        var now = _env.Time.GetUtcNow();
        if (_hostById.TryGetValue(spec.Id, out var existing))
        {
            existing.Spec = spec;
            if (existing.RemovalDeferred)
            {
                existing.RemovalDeferred = false;
                existing.RemovalDeferralAudited = false;
                existing.MaintenanceRequested = existing.MaintenanceBeforeRemoval ?? existing.MaintenanceRequested;
                existing.MaintenanceBeforeRemoval = null;
                AuditIfLeading(now, AuditKind.ConfigurationChanged, existing.Subject, $"registered again: its removal is called off", "operator change");
            }
            return;
        }
        var host = new HostRecord(spec, identity)
        {
            State = HostState.Healthy,
            StateSince = now,
            LastNetworkHeartbeat = now,
            LastStorageAdvance = now,
        };
        if (_removedFenced.Remove(spec.Id, out var targets))
        {
            host.State = HostState.Fenced;
            host.FencedTargets = targets;
            AuditIfLeading(now, AuditKind.ConfigurationChanged, host.Subject,
                $"registered again while still fenced ({string.Join("; ", targets)}): receives no VM until its agent is heard, its leftover VMs are stopped and the fence is lifted",
                "fence kept when it was removed");
        }
        var index = ~Array.BinarySearch(_hosts, host, HostById.Instance);
        _hosts = Insert(_hosts, index, host);
        _hostById.Add(spec.Id, host);
    }

    /// <summary>
    /// Stops managing a host, or defers that (false: nothing removed, apply it again later) while removing it would
    /// lose something: while it is being fenced, returning or unfencing (that work is half done), and while HA VMs are
    /// still assigned to it — nothing proved they stopped, so they could be neither restarted nor watched. Such a host
    /// is put in maintenance so that it is drained (or, if it is silent, judged and fenced as usual, which releases its
    /// VMs); the deferral is audited once. A fence still applied to the removed host is KEPT (it is still cut off from
    /// storage): it stays in the snapshot, and the host re-added under the same id starts fenced (see
    /// <see cref="UpsertHost"/>).
    /// </summary>
    public bool RemoveHost(string hostId)
    {
        if (!_hostById.TryGetValue(hostId, out var host))
        {
            return true;
        }
        var now = _env.Time.GetUtcNow();
        if (host.State is HostState.Fencing or HostState.Returning or HostState.Unfencing)
        {
            DeferRemoval(host, now, $"it is {StateNames.Name(host.State)}; removed once that is over");
            return false;
        }
        if (host.AssignedVms > 0)
        {
            host.MaintenanceBeforeRemoval ??= host.MaintenanceRequested;
            host.MaintenanceRequested = true;
            DeferRemoval(host, now,
                $"HA VM(s) [{string.Join(',', VmsAssignedTo(hostId))}] are still assigned to it and nothing proved they stopped; it is drained first (maintenance), or fenced if it is silent, then removed");
            return false;
        }
        if (host.FencedTargets is { Count: > 0 } fenced)
        {
            _removedFenced[hostId] = [.. fenced];
            AuditIfLeading(now, AuditKind.ConfigurationChanged, host.Subject,
                $"removed while fenced: the fence is kept ({string.Join("; ", fenced)}); registered again, it starts fenced and is unfenced only after its agent is heard and its leftover VMs are stopped",
                $"was {StateNames.Name(host.State)}; operator change");
        }
        else
        {
            AuditIfLeading(now, AuditKind.ConfigurationChanged, host.Subject, "removed: no HA VM assigned, no fence applied",
                $"was {StateNames.Name(host.State)}; operator change");
        }
        var index = Array.BinarySearch(_hosts, host, HostById.Instance);
        _hosts = RemoveAt(_hosts, index);
        _hostById.Remove(hostId);
        return true;
    }

    /// <summary>Asked again at every poll until it applies: audited once, as soon as this coordinator leads.</summary>
    private void DeferRemoval(HostRecord host, DateTimeOffset now, string why)
    {
        host.RemovalDeferred = true;
        if (!host.RemovalDeferralAudited && _epoch > 0)
        {
            host.RemovalDeferralAudited = true;
            Audit(now, AuditKind.ConfigurationChanged, host.Subject, "removal deferred: " + why, "operator change");
        }
    }

    private void AuditIfLeading(DateTimeOffset now, AuditKind kind, string subject, string decision, string evidence)
    {
        if (_epoch > 0)
        {
            Audit(now, kind, subject, decision, evidence);
        }
    }

    /// <summary>Fences of removed hosts (from the constructor's persisted state, or removed since), added to a snapshot's fenced part.</summary>
    private void AddRemovedFenced(Dictionary<string, IReadOnlyList<FenceTarget>> fenced)
    {
        foreach (var (hostId, targets) in _removedFenced)
        {
            fenced[hostId] = [.. targets];
        }
    }

    /// <summary>Replaces the placement rules; they matter only to the next placement.</summary>
    public void SetRules(IReadOnlyList<PlacementRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules;
    }

    /// <summary>VMs added since the last step may already run: judge again every last report that names one of them.</summary>
    private void RejudgeReportsOfAddedVms(DateTimeOffset now)
    {
        foreach (var host in _hosts)
        {
            if (host.LastReport is not { } report)
            {
                continue;
            }
            for (var i = 0; i < report.Count; i++)
            {
                if (_addedVms.Contains(report[i]))
                {
                    JudgeReport(host, report, now);
                    break;
                }
            }
        }
        _addedVms.Clear();
    }

    private static bool SameVolumes(IReadOnlyList<VolumeRef> a, IReadOnlyList<VolumeRef> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!Equals(a[i], b[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static T[] Insert<T>(T[] array, int index, T item)
    {
        var next = new T[array.Length + 1];
        Array.Copy(array, 0, next, 0, index);
        next[index] = item;
        Array.Copy(array, index, next, index + 1, array.Length - index);
        return next;
    }

    private static T[] RemoveAt<T>(T[] array, int index)
    {
        var next = new T[array.Length - 1];
        Array.Copy(array, 0, next, 0, index);
        Array.Copy(array, index + 1, next, index, array.Length - index - 1);
        return next;
    }

    private sealed class VmById : IComparer<VmRecord>
    {
        public static readonly VmById Instance = new();

        public int Compare(VmRecord? x, VmRecord? y) => string.CompareOrdinal(x!.Id, y!.Id);
    }

    private sealed class HostById : IComparer<HostRecord>
    {
        public static readonly HostById Instance = new();

        public int Compare(HostRecord? x, HostRecord? y) => string.CompareOrdinal(x!.Id, y!.Id);
    }
}
