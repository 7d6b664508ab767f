using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Core.Coordination;

public sealed partial class HaCoordinator
{
    private void TryBeginFence(HostRecord host, DateTimeOffset now)
    {
        if (_stormGuard || host.State is not (HostState.Isolated or HostState.Dead))
        {
            return;
        }
        var targets = FenceTargetsOf(host);
        if (targets.Count == 0)
        {
            if (!host.FenceNotNeededAudited)
            {
                host.FenceNotNeededAudited = true;
                if (host.AssignedVms == 0)
                {
                    Audit(now, AuditKind.FenceNotNeeded, host.Subject, "not fenced: no HA VM is assigned to it", Evidence(host, now));
                }
                else
                {
                    // Without a volume there is nothing to cut, so nothing can prove the VMs stopped: they stay put.
                    Audit(now, AuditKind.CannotFence, host.Subject,
                        $"CANNOT FENCE {host.Id}: its {host.AssignedVms} VM(s) have no volume a fence can cut; NOT restarted until it is heard again",
                        Evidence(host, now));
                }
            }
            return;
        }
        if (MissingIdentity(host, targets) is { } missing)
        {
            // An empty address list would be "proven" by any evidence: refuse to fence blind, keep the VMs down.
            if (!host.FenceNotNeededAudited)
            {
                host.FenceNotNeededAudited = true;
                Audit(now, AuditKind.CannotFence, host.Subject,
                    $"CANNOT FENCE {host.Id}: {missing}; its VMs are NOT restarted until it is heard again",
                    Evidence(host, now));
            }
            return;
        }
        host.FenceNotNeededAudited = false;
        host.BackDuringFenceAudited = false;
        var verdictEvidence = $"{StateNames.Name(host.State)}: {Evidence(host, now)}";
        host.Fence = new FenceRound(host.State, verdictEvidence, targets);
        ChangeState(host, HostState.Fencing, now, $"{targets.Count} fence target(s) for its VMs' volumes");
        IssueFenceAttempt(host, now);
    }

    /// <summary>One blocklist of the host IP covers all its Ceph volumes; each iSCSI LUN needs its own preempt.</summary>
    private List<FenceTarget> FenceTargetsOf(HostRecord host)
    {
        var targets = new List<FenceTarget>();
        var ceph = false;
        var luns = new SortedSet<(string Target, int Lun)>();
        foreach (var vm in _vms)
        {
            if (vm.HostId != host.Id || !IsAssigned(vm.State))
            {
                continue;
            }
            foreach (var volume in vm.Spec.Volumes)
            {
                switch (volume)
                {
                    case CephVolume:
                        ceph = true;
                        break;
                    case IscsiVolume iscsi:
                        luns.Add((iscsi.Target, iscsi.Lun));
                        break;
                    default:
                        break;
                }
            }
        }
        if (ceph)
        {
            targets.Add(new CephBlocklistTarget(host.Identity.CephBlocklistAddresses));
        }
        foreach (var (target, lun) in luns)
        {
            targets.Add(new IscsiPreemptTarget(target, lun, host.Identity.IscsiKey));
        }
        return targets;
    }

    private static string? MissingIdentity(HostRecord host, List<FenceTarget> targets)
    {
        foreach (var target in targets)
        {
            switch (target)
            {
                case CephBlocklistTarget ceph when ceph.Addresses.Count == 0 || ceph.Addresses.Any(string.IsNullOrEmpty):
                    return "its Ceph client address is unknown (its agent never announced one)";
                case IscsiPreemptTarget iscsi when string.IsNullOrEmpty(iscsi.VictimKey):
                    return $"its iSCSI reservation key is unknown, needed for {iscsi.Target}/{iscsi.Lun}";
                default:
                    break;
            }
        }
        return null;
    }

    /// <summary>
    /// Continues a fence a previous leader ordered (persisted as in progress) at this coordinator's first leading step,
    /// under its own token, without waiting for its own dead-after time: that leader judged the host on its heartbeat
    /// history, which a successor does not have, and fencing again is the safe direction — a fence already applied is
    /// applied again, and nothing is released before this leader's own order is proven. The round cuts what was
    /// ordered before plus whatever the VMs placed there need now.
    /// </summary>
    private void ContinueFence(HostRecord host, FenceInProgress previous, DateTimeOffset now)
    {
        host.ContinueFence = null;
        var targets = new List<FenceTarget>(host.FencedTargets ?? []);
        var needed = FenceTargetsOf(host);
        if (MissingIdentity(host, needed) is null)
        {
            foreach (var target in needed)
            {
                if (!targets.Exists(t => t.ToString() == target.ToString()))
                {
                    targets.Add(target);
                }
            }
        }
        if (targets.Count == 0)
        {
            host.NextFenceRoundAt = now + _options.NetworkDeadAfter;
            ChangeState(host, HostState.FenceFailed, now,
                $"fence {previous.FenceId} of epoch {previous.Epoch} cannot be continued: no fence target known; judged again after {Seconds(_options.NetworkDeadAfter)} of silence");
            return;
        }
        host.FenceNotNeededAudited = false;
        host.BackDuringFenceAudited = false;
        host.Fence = new FenceRound(HostState.Dead,
            $"continuing fence {previous.FenceId} ordered in epoch {previous.Epoch} via {previous.ExecutorHostId}; that leader's evidence: {previous.Evidence}",
            targets);
        IssueFenceAttempt(host, now, previous.ExecutorHostId, $"continuing fence ordered in epoch {previous.Epoch}");
    }

    private void IssueFenceAttempt(HostRecord host, DateTimeOffset now, string? preferredExecutor = null, string? note = null)
    {
        var round = host.Fence!;
        round.Current = null;
        HostRecord? peer = null;
        if (preferredExecutor is not null && _hostById.TryGetValue(preferredExecutor, out var preferred)
            && preferred.State == HostState.Healthy && preferred != host && round.Attempts < _options.MaxFenceAttemptsPerRound)
        {
            // The executor the previous leader chose (it had heard it): it may have applied the fence already.
            peer = preferred;
        }
        if (peer is null && round.Attempts < _options.MaxFenceAttemptsPerRound)
        {
            foreach (var candidate in _hosts)
            {
                if (candidate.State == HostState.Healthy && candidate != host && !round.TriedPeers.Contains(candidate.Id))
                {
                    peer = candidate;
                    break;
                }
            }
            if (peer is null && round.TriedPeers.Count > 0)
            {
                // Every healthy peer has been tried once: go round them again until the attempts run out.
                round.TriedPeers.Clear();
                foreach (var candidate in _hosts)
                {
                    if (candidate.State == HostState.Healthy && candidate != host)
                    {
                        peer = candidate;
                        break;
                    }
                }
            }
        }
        if (peer is null)
        {
            if (round.Attempts < _options.MaxFenceAttemptsPerRound)
            {
                round.Failures.Add("no healthy peer to execute the fence");
            }
            CannotFence(host, now);
            return;
        }
        round.Attempts++;
        round.TriedPeers.Add(peer.Id);
        SendFenceOrder(host, peer.Id, now, $"attempt {round.Attempts}/{_options.MaxFenceAttemptsPerRound}{(note is null ? "" : ", " + note)}");
    }

    private void SendFenceOrder(HostRecord host, string executor, DateTimeOffset now, string what)
    {
        var round = host.Fence!;
        var attempt = new FenceAttempt(NextOrderId("fence", host.Id), executor, _epoch, now);
        round.Current = attempt;
        host.FencedTargets ??= [];
        foreach (var target in round.Targets)
        {
            if (!host.FencedTargets.Exists(t => t.ToString() == target.ToString()))
            {
                host.FencedTargets.Add(target);
            }
        }
        Audit(now, AuditKind.FenceOrdered, host.Subject,
            $"fence {attempt.FenceId} ordered via {executor} ({what}, token {_epoch}): {string.Join("; ", round.Targets)}",
            round.VerdictEvidence);
        _env.OrderFence(new FenceOrder(attempt.FenceId, _epoch, host.Id, executor, round.Targets));
    }

    private void ProgressFence(HostRecord host, DateTimeOffset now)
    {
        var attempt = host.Fence?.Current;
        if (attempt is null || now - attempt.IssuedAt <= _options.FenceTimeout)
        {
            return;
        }
        FenceAttemptFailed(host, $"{attempt.FenceId} via {attempt.ExecutorHostId}: no proven result within {Seconds(_options.FenceTimeout)}", now);
    }

    private void FenceAttemptFailed(HostRecord host, string failure, DateTimeOffset now)
    {
        var round = host.Fence!;
        round.Failures.Add(failure);
        Audit(now, AuditKind.FenceAttemptFailed, host.Subject,
            round.Attempts < _options.MaxFenceAttemptsPerRound ? "fence attempt failed; trying another peer" : "fence attempt failed; no attempt left in this round",
            failure);
        IssueFenceAttempt(host, now);
    }

    private void CannotFence(HostRecord host, DateTimeOffset now)
    {
        var round = host.Fence!;
        host.NextFenceRoundAt = now + _options.FenceRoundBackoff;
        var down = new List<string>();
        foreach (var vm in _vms)
        {
            if (vm.HostId == host.Id && IsAssigned(vm.State))
            {
                down.Add(vm.Id);
            }
        }
        ChangeState(host, HostState.FenceFailed, now, string.Join("; ", round.Failures));
        Audit(now, AuditKind.CannotFence, host.Subject,
            $"CANNOT FENCE {host.Id}: its VMs [{string.Join(',', down)}] are NOT restarted anywhere until it is fenced or heard again; next round in {Seconds(_options.FenceRoundBackoff)}",
            $"{round.Attempts} attempt(s): {string.Join("; ", round.Failures)}");
    }

    private void OnFenceResult(FenceResult result, DateTimeOffset now)
    {
        if (IsStaleToken(result.Token, $"fence result {result.FenceId} from {result.ExecutorHostId}", now))
        {
            return;
        }
        if (!_hostById.TryGetValue(result.VictimHostId, out var host))
        {
            return;
        }
        var attempt = host.Fence?.Current;
        if (host.State != HostState.Fencing || attempt is null || attempt.FenceId != result.FenceId)
        {
            Audit(now, AuditKind.StaleResultIgnored, host.Subject, $"ignored fence result {result.FenceId} from {result.ExecutorHostId}",
                $"superseded: host is {StateNames.Name(host.State)}, current attempt {attempt?.FenceId ?? "none"}");
            return;
        }
        if (!result.Succeeded)
        {
            FenceAttemptFailed(host, $"{result.FenceId} via {result.ExecutorHostId}: {result.Error ?? "failed"}", now);
            return;
        }
        var unproven = Unproven(host, result.Evidence);
        if (unproven is not null)
        {
            FenceAttemptFailed(host, $"{result.FenceId} via {result.ExecutorHostId} reported success without proof: {unproven}", now);
            return;
        }
        var evidence = $"{result.FenceId} via {result.ExecutorHostId}: {string.Join("; ", result.Evidence)}";
        Audit(now, AuditKind.FenceVerified, host.Subject, "fence verified: it can no longer write its volumes", evidence);
        host.Fence = null;
        ChangeState(host, HostState.Fenced, now, $"{result.FenceId} verified");
        ReleaseHostVms(host, $"host {host.Id} fenced ({evidence})", now);
    }

    /// <summary>Null when the evidence proves every target cut off; otherwise what is missing.</summary>
    private static string? Unproven(HostRecord host, IReadOnlyList<FenceEvidence> evidence)
    {
        foreach (var target in host.Fence!.Targets)
        {
            switch (target)
            {
                case CephBlocklistTarget ceph:
                    var cephProven = false;
                    foreach (var item in evidence)
                    {
                        if (item is CephBlocklistEvidence e && e.ObservedOsdmapEpoch >= e.BlocklistEpoch
                            && ceph.Addresses.All(a => e.BlocklistedAddresses.Contains(a, StringComparer.Ordinal)))
                        {
                            cephProven = true;
                        }
                    }
                    if (!cephProven)
                    {
                        return $"no OSD map at or past the blocklist epoch lists {string.Join(',', ceph.Addresses)}";
                    }
                    break;
                case IscsiPreemptTarget iscsi:
                    IscsiKeysEvidence? keys = null;
                    foreach (var item in evidence)
                    {
                        if (item is IscsiKeysEvidence e && e.Target == iscsi.Target && e.Lun == iscsi.Lun)
                        {
                            keys = e;
                        }
                    }
                    if (keys is null)
                    {
                        return $"no READ KEYS for {iscsi.Target}/{iscsi.Lun}";
                    }
                    if (keys.RegisteredKeys.Contains(iscsi.VictimKey, StringComparer.Ordinal))
                    {
                        return $"key {iscsi.VictimKey} still registered on {iscsi.Target}/{iscsi.Lun}";
                    }
                    break;
                default:
                    return $"unknown fence target {target}";
            }
        }
        return null;
    }

    private void ReleaseHostVms(HostRecord host, string evidence, DateTimeOffset now)
    {
        foreach (var vm in _vms)
        {
            if (vm.HostId == host.Id && IsAssigned(vm.State))
            {
                Release(vm, evidence, now);
            }
        }
    }

    private void Release(VmRecord vm, string evidence, DateTimeOffset now)
    {
        vm.ReleaseEvidence = evidence;
        vm.LastUnplacedReason = null;
        Audit(now, AuditKind.VmReleased, vm.Subject, $"released from {vm.HostId}: may restart elsewhere", evidence);
        SetVm(vm, VmState.Pending, null, now);
    }

    private void OnEpochChanged(long epoch, DateTimeOffset now)
    {
        var previous = _epoch;
        _epoch = epoch;
        Audit(now, AuditKind.EpochChanged, "cluster",
            epoch > 0 ? $"coordinator epoch {previous} => {epoch}: leading; orders carry token {epoch}" : $"coordinator epoch {previous} => {epoch}: not leading",
            previous > 0 ? "leadership changed: orders in flight are re-issued with the new token" : "leadership acquired");
        if (epoch <= 0 || previous <= 0)
        {
            return;
        }
        foreach (var host in _hosts)
        {
            if (host.State == HostState.Fencing && host.Fence?.Current is { } attempt)
            {
                SendFenceOrder(host, attempt.ExecutorHostId, now, "re-issued after epoch change");
            }
            else if (host.State == HostState.Unfencing)
            {
                SendUnfenceOrder(host, now);
            }
            host.LeftoverStops?.Clear();
        }
        foreach (var vm in _vms)
        {
            if (vm.State == VmState.Starting)
            {
                SendStartOrder(vm, vm.HostId!, "re-issued after epoch change", now);
            }
            else if (vm.State == VmState.Stopping)
            {
                OrderStop(vm.Id, vm.HostId!, "re-issued after epoch change", now);
                vm.OrderedAt = now;
            }
        }
    }
}
