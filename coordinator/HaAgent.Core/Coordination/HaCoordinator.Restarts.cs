using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Coordination;

public sealed partial class HaCoordinator
{
    private void PlacePendingVms(DateTimeOffset now)
    {
        var toPlace = new List<VmSpec>();
        foreach (var vm in _vms)
        {
            if (vm.State != VmState.Pending)
            {
                continue;
            }
            while (vm.Starts.Count > 0 && now - vm.Starts.Peek() >= _options.RestartWindow)
            {
                vm.Starts.Dequeue();
            }
            if (vm.Starts.Count >= _options.MaxRestartsPerVm)
            {
                if (!vm.RestartLimitAudited)
                {
                    vm.RestartLimitAudited = true;
                    Audit(now, AuditKind.RestartLimited, vm.Subject,
                        $"restart limit reached: stays down until {Seconds(vm.Starts.Peek() + _options.RestartWindow - now)} from now",
                        $"{vm.Starts.Count} starts within {Seconds(_options.RestartWindow)} (limit {_options.MaxRestartsPerVm})");
                }
                continue;
            }
            vm.RestartLimitAudited = false;
            toPlace.Add(vm.Spec);
        }
        if (toPlace.Count == 0)
        {
            return;
        }

        var usedCpus = new Dictionary<string, int>(StringComparer.Ordinal);
        var usedMemory = new Dictionary<string, long>(StringComparer.Ordinal);
        var running = new Dictionary<string, string>(StringComparer.Ordinal);
        var runningSpecs = new Dictionary<string, VmSpec>(StringComparer.Ordinal);
        var startsInFlight = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var vm in _vms)
        {
            if (vm.HostId is null || !IsAssigned(vm.State))
            {
                continue;
            }
            running[vm.Id] = vm.HostId;
            runningSpecs[vm.Id] = vm.Spec;
            usedCpus[vm.HostId] = usedCpus.GetValueOrDefault(vm.HostId) + vm.Spec.Cpus;
            usedMemory[vm.HostId] = usedMemory.GetValueOrDefault(vm.HostId) + vm.Spec.MemoryMiB;
            if (vm.State == VmState.Starting)
            {
                startsInFlight[vm.HostId] = startsInFlight.GetValueOrDefault(vm.HostId) + 1;
            }
        }
        var throttled = false;
        var hosts = new List<PlacementHost>(_hosts.Length);
        foreach (var host in _hosts)
        {
            // The plan's per-host start limit cannot see starts ordered by earlier steps: a host already at the limit sits this one out.
            var inFlight = startsInFlight.GetValueOrDefault(host.Id);
            var reason = IneligibleReason(host)
                ?? (inFlight >= _options.MaxStartsPerHost ? $"{inFlight} starts already in flight" : null);
            throttled |= inFlight >= _options.MaxStartsPerHost && IneligibleReason(host) is null;
            hosts.Add(new PlacementHost(host.Spec, reason is null, reason,
                usedCpus.GetValueOrDefault(host.Id), usedMemory.GetValueOrDefault(host.Id)));
        }
        var plan = _planner.Plan(new PlacementRequest(hosts, running, runningSpecs, toPlace, _rules, _options.MaxStartsPerHost));

        foreach (var decision in plan.Placed)
        {
            if (!_vmById.TryGetValue(decision.VmId, out var vm) || vm.State != VmState.Pending)
            {
                continue;
            }
            var target = _hostById.GetValueOrDefault(decision.HostId);
            var refusal = target is null ? "unknown host" : IneligibleReason(target);
            if (target is null || refusal is not null)
            {
                Audit(now, AuditKind.OrderRefused, vm.Subject, $"planner chose {decision.HostId}; refused",
                    $"host {decision.HostId} is not eligible: {refusal}");
                continue;
            }
            vm.LastUnplacedReason = null;
            vm.Starts.Enqueue(now);
            SetVm(vm, VmState.Starting, target.Id, now);
            var soft = decision.SoftRulesBroken.Count > 0 ? $" (soft rules broken: {string.Join(',', decision.SoftRulesBroken)})" : "";
            SendStartOrder(vm, target.Id, decision.Why + soft, now);
        }
        if (throttled)
        {
            return; // left for a later step, when starts in flight have finished; not worth an unplaceable report yet
        }
        foreach (var unplaced in plan.Unplaced)
        {
            if (!_vmById.TryGetValue(unplaced.VmId, out var vm) || vm.LastUnplacedReason == unplaced.Reason)
            {
                continue;
            }
            vm.LastUnplacedReason = unplaced.Reason;
            var rejected = string.Join(", ", unplaced.RejectedHosts.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {r.Value}"));
            Audit(now, AuditKind.VmUnplaceable, vm.Subject, $"not placed, stays down for now: {unplaced.Reason}",
                rejected.Length > 0 ? $"hosts rejected: {rejected}" : "no host considered");
        }
    }

    private static string? IneligibleReason(HostRecord host) =>
        host.State != HostState.Healthy ? StateNames.Name(host.State)
        : host.MaintenanceRequested ? "maintenance"
        : host.StorageStalled ? "storage heartbeat stalled"
        : null;

    private void SendStartOrder(VmRecord vm, string hostId, string why, DateTimeOffset now)
    {
        vm.OrderedAt = now;
        Audit(now, AuditKind.VmStartOrdered, vm.Subject, $"start ordered on {hostId} (token {_epoch}): {why}",
            vm.ReleaseEvidence ?? "not running anywhere");
        _env.OrderStart(new VmStartOrder(_epoch, vm.Id, hostId, why));
    }

    private void OrderStop(string vmId, string hostId, string why, DateTimeOffset now)
    {
        Audit(now, AuditKind.VmStopOrdered, "vm " + vmId, $"stop ordered on {hostId} (token {_epoch})", why);
        _env.OrderStop(new VmStopOrder(_epoch, vmId, hostId, why));
    }

    private void OnStartResult(VmStartResult result, DateTimeOffset now)
    {
        if (IsStaleToken(result.Token, $"start result for {result.VmId} on {result.HostId}", now)
            || !_vmById.TryGetValue(result.VmId, out var vm))
        {
            return;
        }
        if (vm.State != VmState.Starting || vm.HostId != result.HostId)
        {
            return; // already confirmed by a report, or superseded
        }
        if (result.Succeeded)
        {
            SetVm(vm, VmState.Running, result.HostId, now);
            Audit(now, AuditKind.VmStarted, vm.Subject, $"running on {result.HostId}", $"agent {result.HostId} started it");
            return;
        }
        Audit(now, AuditKind.VmStartFailed, vm.Subject, $"start on {result.HostId} failed; will be placed again",
            $"agent {result.HostId}: {result.Error ?? "failed"}");
        SetVm(vm, VmState.Pending, null, now);
    }

    private void OnStopResult(VmStopResult result, DateTimeOffset now)
    {
        if (IsStaleToken(result.Token, $"stop result for {result.VmId} on {result.HostId}", now)
            || !_vmById.TryGetValue(result.VmId, out var vm))
        {
            return;
        }
        if (!result.Succeeded)
        {
            Audit(now, AuditKind.VmStopOrdered, vm.Subject, $"stop on {result.HostId} failed; retried after the order timeout",
                $"agent {result.HostId}: {result.Error ?? "failed"}");
            return;
        }
        var copy = vm.HostId == result.HostId ? "" : "stale copy ";
        Audit(now, AuditKind.VmStopped, vm.Subject, $"{copy}stopped on {result.HostId}", $"agent {result.HostId} stopped it");
        if (vm.State == VmState.Stopping && vm.HostId == result.HostId)
        {
            Release(vm, $"agent {result.HostId} stopped it (maintenance drain)", now);
        }
    }

    private void DrainForMaintenance(HostRecord host, DateTimeOffset now)
    {
        foreach (var vm in _vms)
        {
            if (vm.HostId == host.Id && vm.State == VmState.Running)
            {
                SetVm(vm, VmState.Stopping, host.Id, now);
                vm.OrderedAt = now;
                OrderStop(vm.Id, host.Id, "maintenance drain: stopped here before it starts elsewhere", now);
            }
        }
    }

    /// <summary>Orders unanswered for too long are re-issued; a start the target's agent does not report is given up.</summary>
    private void ProgressVmOrders(DateTimeOffset now)
    {
        foreach (var vm in _vms)
        {
            if (vm.State is not (VmState.Starting or VmState.Stopping) || now - vm.OrderedAt <= _options.OrderTimeout)
            {
                continue;
            }
            var host = _hostById[vm.HostId!];
            if (host.State is not (HostState.Healthy or HostState.Maintenance))
            {
                continue; // its host is being judged; a fence releases the VM
            }
            if (vm.State == VmState.Starting)
            {
                SendStartOrder(vm, host.Id, $"re-issued: no result within {Seconds(_options.OrderTimeout)}", now);
            }
            else
            {
                vm.OrderedAt = now;
                OrderStop(vm.Id, host.Id, $"re-issued: no result within {Seconds(_options.OrderTimeout)}", now);
            }
        }
    }
}
