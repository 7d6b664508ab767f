using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Core.Coordination;

public sealed partial class HaCoordinator
{
    private void Consume(Observation observation, DateTimeOffset now)
    {
        if (_epoch <= 0 && observation is not (NetworkHeartbeat or SelfFenceReport or MaintenanceRequest))
        {
            // Not leading: keep watching, but judge no report (it could order stops) and take no result (none is ours).
            if (observation is VmReport report && _hostById.TryGetValue(report.HostId, out var host) && report.At >= host.LastReportAt)
            {
                host.LastReport = report.RunningVmIds;
                host.LastReportAt = report.At;
                host.ReportCheckedVersion = -1;
            }
            return;
        }
        switch (observation)
        {
            case NetworkHeartbeat heartbeat:
                OnNetworkHeartbeat(heartbeat);
                break;
            case VmReport report:
                OnVmReport(report, now);
                break;
            case FenceResult result:
                OnFenceResult(result, now);
                break;
            case UnfenceResult result:
                OnUnfenceResult(result, now);
                break;
            case VmStartResult result:
                OnStartResult(result, now);
                break;
            case VmStopResult result:
                OnStopResult(result, now);
                break;
            case SelfFenceReport report:
                OnSelfFenceReport(report, now);
                break;
            case MaintenanceRequest request:
                OnMaintenanceRequest(request, now);
                break;
            default:
                break;
        }
    }

    private void OnNetworkHeartbeat(NetworkHeartbeat heartbeat)
    {
        if (!_hostById.TryGetValue(heartbeat.HostId, out var host) || heartbeat.At < host.LastNetworkHeartbeat)
        {
            return;
        }
        host.LastNetworkHeartbeat = heartbeat.At;
        host.Incarnation = heartbeat.Incarnation;
        host.EverHeard = true;
    }

    /// <summary>Reads every storage heartbeat and, in the same pass over the hosts, counts the silent ones for the storm guard.</summary>
    private (int Watched, int Silent) ReadStorageHeartbeats(DateTimeOffset now)
    {
        int watched = 0, silent = 0;
        foreach (var host in _hosts)
        {
            if (host.State is HostState.Healthy or HostState.Suspect or HostState.Isolated or HostState.Dead or HostState.Maintenance)
            {
                watched++;
                if (now - host.LastNetworkHeartbeat > _options.NetworkSuspectAfter)
                {
                    silent++;
                }
            }
            if (!_env.TryReadStorageHeartbeat(host.Id, out var heartbeat))
            {
                continue;
            }
            if (!host.StorageSeen || heartbeat.Sequence != host.StorageSequence || heartbeat.Incarnation != host.StorageIncarnation)
            {
                // Advance is judged by our clock: the host's clock (WrittenAt) may be wrong.
                host.StorageSeen = true;
                host.StorageSequence = heartbeat.Sequence;
                host.StorageIncarnation = heartbeat.Incarnation;
                host.LastStorageAdvance = now;
            }
            host.StorageEpochSeen = heartbeat.LastEpochSeen;
        }
        return (watched, silent);
    }

    private void OnVmReport(VmReport report, DateTimeOffset now)
    {
        if (!_hostById.TryGetValue(report.HostId, out var host) || report.At < host.LastReportAt)
        {
            return;
        }
        var running = report.RunningVmIds;
        // The steady state: the same VMs as last time and nothing assigned or released since. Nothing to judge.
        var unchanged = host.ReportCheckedVersion == host.AssignmentVersion && SameVms(host.LastReport, running);
        host.LastReport = running;
        host.LastReportAt = report.At;
        if (unchanged)
        {
            return;
        }
        JudgeReport(host, running, now);
    }

    /// <summary>Acts on one host's list of running HA VMs: confirms starts, adopts, stops second copies, releases vanished VMs.</summary>
    private void JudgeReport(HostRecord host, IReadOnlyList<string> running, DateTimeOffset now)
    {
        var matched = 0;
        for (var i = 0; i < running.Count; i++)
        {
            if (!_vmById.TryGetValue(running[i], out var vm))
            {
                continue;
            }
            if (vm.HostId == host.Id && IsAssigned(vm.State))
            {
                matched++;
                if (vm.State == VmState.Starting)
                {
                    SetVm(vm, VmState.Running, host.Id, now);
                    Audit(now, AuditKind.VmStarted, vm.Subject, $"running on {host.Id}", $"agent {host.Id} reports it running");
                }
                continue;
            }
            OnVmSeenElsewhere(vm, host, now);
        }
        if (matched < host.AssignedVms && host.State is HostState.Healthy or HostState.Maintenance)
        {
            ReleaseVanishedVms(host, running, now);
        }
        // Only a report of exactly the VMs assigned here may be skipped next time: anything else (a start in its grace
        // period, a VM assigned elsewhere, an unknown VM) can change meaning when other hosts change.
        host.ReportCheckedVersion = matched == host.AssignedVms && matched == running.Count ? host.AssignmentVersion : -1;
    }

    private static bool SameVms(IReadOnlyList<string>? previous, IReadOnlyList<string> current)
    {
        if (previous is null || previous.Count != current.Count)
        {
            return false;
        }
        for (var i = 0; i < current.Count; i++)
        {
            if (!string.Equals(previous[i], current[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A healthy host's own agent says an assigned VM is not running: no process, so no writer; it may restart.</summary>
    private void ReleaseVanishedVms(HostRecord host, IReadOnlyList<string> running, DateTimeOffset now)
    {
        foreach (var vm in _vms)
        {
            if (vm.HostId != host.Id || !IsAssigned(vm.State) || Contains(running, vm.Id))
            {
                continue;
            }
            // A start shows up in reports only once it completed; give it the order timeout.
            if (vm.State == VmState.Starting && now - vm.OrderedAt <= _options.OrderTimeout)
            {
                continue;
            }
            var evidence = vm.State == VmState.Stopping
                ? $"agent {host.Id} (incarnation {host.Incarnation}) reports it stopped"
                : $"agent {host.Id} (incarnation {host.Incarnation}) reports it not running";
            Release(vm, evidence, now);
        }
    }

    private void OnVmSeenElsewhere(VmRecord vm, HostRecord host, DateTimeOffset now)
    {
        if (host.State is HostState.Fenced or HostState.SelfFenced or HostState.Returning or HostState.Unfencing)
        {
            return; // a leftover: the returning host's own handling stops it before unfencing
        }
        if (vm.State is VmState.Unknown or VmState.Pending && host.State == HostState.Healthy)
        {
            // Nothing else runs it (pending needs proof its old host is cut off): this copy is the only one.
            Audit(now, AuditKind.VmStarted, vm.Subject, $"adopted on {host.Id}", $"agent {host.Id} reports it running");
            SetVm(vm, VmState.Running, host.Id, now);
            return;
        }
        host.DuplicateStops ??= new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (host.DuplicateStops.TryGetValue(vm.Id, out var orderedAt) && now - orderedAt <= _options.OrderTimeout)
        {
            return; // the stop is on its way
        }
        host.DuplicateStops[vm.Id] = now;
        Audit(now, AuditKind.DuplicateVm, vm.Subject,
            $"SECOND COPY on {host.Id}; stopping it, the copy on {vm.HostId ?? "-"} is the one placed",
            $"agent {host.Id} reports it running while it is {vm.State.ToString().ToLowerInvariant()} on {vm.HostId ?? "-"}");
        OrderStop(vm.Id, host.Id, "second copy", now);
    }

    private void OnSelfFenceReport(SelfFenceReport report, DateTimeOffset now)
    {
        if (!_hostById.TryGetValue(report.HostId, out var host) || report.Incarnation < host.Incarnation)
        {
            return;
        }
        if (host.State is HostState.Fenced or HostState.SelfFenced or HostState.Returning or HostState.Unfencing)
        {
            return;
        }
        var evidence = $"host {host.Id} (incarnation {report.Incarnation}) reports it stopped [{string.Join(',', report.StoppedVmIds)}] and stays off its volumes";
        Audit(now, AuditKind.SelfFenced, host.Subject, "self-fence accepted; its VMs are released", evidence);
        host.Fence = null; // results of an attempt still in flight are superseded
        ChangeState(host, HostState.SelfFenced, now, evidence);
        ReleaseHostVms(host, evidence, now);
    }

    private void OnMaintenanceRequest(MaintenanceRequest request, DateTimeOffset now)
    {
        if (!_hostById.TryGetValue(request.HostId, out var host) || host.MaintenanceRequested == request.Enable)
        {
            return;
        }
        host.MaintenanceRequested = request.Enable;
        Audit(now, AuditKind.Maintenance, host.Subject,
            request.Enable ? "maintenance requested: drain, place nothing here" : "maintenance ended",
            "operator request");
    }

    private static bool Contains(IReadOnlyList<string>? list, string value)
    {
        if (list is null)
        {
            return false;
        }
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private bool IsStaleToken(long token, string what, DateTimeOffset now)
    {
        if (token == _epoch)
        {
            return false;
        }
        Audit(now, AuditKind.StaleResultIgnored, "cluster", $"ignored {what}",
            $"it carries token {token}, the current token is {_epoch}");
        return true;
    }
}
