using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;

namespace HaAgent.Core.Coordination;

public sealed partial class HaCoordinator
{
    private void BeginReturn(HostRecord host, DateTimeOffset now)
    {
        host.Fence = null;
        host.LeftoverStops = null;
        host.DuplicateStops = null;
        ChangeState(host, HostState.Returning, now, Evidence(host, now));
        ProgressReturn(host, now);
    }

    /// <summary>
    /// Leftover VMs (assigned elsewhere or released) are stopped first; only then is the fence lifted. That includes
    /// reported VMs this coordinator no longer manages (unprotected while the host was cut off): their copy may have
    /// been restarted elsewhere before, and lifting the fence under it would give a second writer its volumes back.
    /// </summary>
    private void ProgressReturn(HostRecord host, DateTimeOffset now)
    {
        if (host.LastReportAt < host.StateSince || host.LastReport is null)
        {
            return; // wait for a VM report sent after it came back
        }
        var leftovers = 0;
        var report = host.LastReport;
        for (var i = 0; i < report.Count; i++)
        {
            var vmId = report[i];
            var managed = _vmById.TryGetValue(vmId, out var vm);
            if (managed && vm!.HostId == host.Id && IsAssigned(vm.State))
            {
                continue;
            }
            leftovers++;
            host.LeftoverStops ??= new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            if (host.LeftoverStops.TryGetValue(vmId, out var orderedAt) && now - orderedAt <= _options.OrderTimeout)
            {
                continue;
            }
            host.LeftoverStops[vmId] = now;
            OrderStop(vmId, host.Id, managed
                ? $"leftover on returning host {host.Id}: stopped before the host is unfenced"
                : $"leftover on returning host {host.Id}, no longer HA-managed: stopped before the host is unfenced (a copy may run elsewhere)", now);
        }
        if (leftovers > 0)
        {
            return;
        }
        // A self-fenced agent refuses starts until told it may rejoin, so it gets an unfence order even with nothing to lift.
        if (host.FencedTargets is { Count: > 0 } || host.ReturnedFrom == HostState.SelfFenced)
        {
            ChangeState(host, HostState.Unfencing, now, $"agent {host.Id} reports no leftover VM");
            SendUnfenceOrder(host, now);
        }
        else
        {
            ChangeState(host, HostState.Healthy, now, $"agent {host.Id} reports no leftover VM; no fence to lift");
        }
    }

    private void SendUnfenceOrder(HostRecord host, DateTimeOffset now)
    {
        host.UnfenceId = NextOrderId("unfence", host.Id);
        host.UnfenceIssuedAt = now;
        var targets = host.FencedTargets?.ToArray() ?? [];
        Audit(now, AuditKind.UnfenceOrdered, host.Subject,
            targets.Length > 0
                ? $"unfence {host.UnfenceId} ordered (token {_epoch}), lifting: {string.Join("; ", targets.Select(t => t.ToString()))}"
                : $"unfence {host.UnfenceId} ordered (token {_epoch}): ends its self-fence, nothing to lift",
            $"agent {host.Id} reports no leftover VM");
        _env.OrderUnfence(new UnfenceOrder(host.UnfenceId, _epoch, host.Id, targets));
    }

    private void ProgressUnfence(HostRecord host, DateTimeOffset now)
    {
        if (now - host.UnfenceIssuedAt > _options.OrderTimeout)
        {
            SendUnfenceOrder(host, now);
        }
    }

    private void OnUnfenceResult(UnfenceResult result, DateTimeOffset now)
    {
        if (IsStaleToken(result.Token, $"unfence result {result.UnfenceId}", now)
            || !_hostById.TryGetValue(result.HostId, out var host)
            || host.State != HostState.Unfencing || host.UnfenceId != result.UnfenceId)
        {
            return;
        }
        if (!result.Succeeded)
        {
            Audit(now, AuditKind.UnfenceOrdered, host.Subject, "unfence failed; retried after the order timeout",
                result.Error ?? "failed");
            return;
        }
        host.FencedTargets = null;
        host.UnfenceId = null;
        host.ReturnedFrom = HostState.Fenced;
        Audit(now, AuditKind.Unfenced, host.Subject, "unfenced: rejoins the cluster", $"agent {host.Id} lifted its fence");
        ChangeState(host, HostState.Healthy, now, $"unfenced {result.UnfenceId}");
    }
}
