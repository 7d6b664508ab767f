using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// What DELETE /v1/hosts/{id} checks before it removes a host, like vSphere's "enter maintenance mode before removing a
/// host from the cluster": the host must be in maintenance (nothing new is placed there while it goes), hold no HA VM
/// (drained; or, if it died, fenced so that its VMs were restarted elsewhere), and not be mid-fence. Read from what the
/// leading engine committed (<c>engine/snapshot</c> and the placement shards), straight from the store, so any
/// instance answers the same. A host whose fence is applied (cut off from storage) may be removed: the fence is kept
/// and the host comes back fenced if registered again (Pacemaker's fabric fencing: the node is unfenced when it
/// rejoins). The engine enforces the same rules on its own (a removal that slips past this check is deferred and
/// audited), so this is the operator's clear answer, not the only guard.
/// </summary>
internal static class HostRemoval
{
    /// <summary>Null when the host may be removed; otherwise the 409 problem naming why and what to do.</summary>
    public static async Task<IResult?> CheckAsync(ApiStore api, HostDocument host, CancellationToken cancellationToken)
    {
        var store = api.Store;
        SnapshotDocument? snapshot = null;
        if (await store.GetAsync(CoordinatorEngine.SnapshotKey, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            snapshot = JsonSerializer.Deserialize(stored.Value.Span, EngineJsonContext.Default.SnapshotDocument);
        }
        if (snapshot?.Fencing?.GetValueOrDefault(host.Id) is { } fencing)
        {
            return Refused(host.Id, "fencing",
                $"host '{host.Id}' is being fenced (fence {fencing.FenceId} ordered in epoch {fencing.Epoch}, not verified yet): its VMs may restart elsewhere only on that proof; retry once the fence is verified or given up",
                null);
        }
        var vms = await HaVmsOnAsync(store, host.Id, cancellationToken).ConfigureAwait(false);
        if (vms.Count > 0)
        {
            return Refused(host.Id, "holds-ha-vms",
                $"host '{host.Id}' still holds HA VM(s) [{string.Join(", ", vms)}]: nothing proves they stopped, so removed they could be neither restarted nor watched; drain it (POST /v1/hosts/{host.Id}/drain), or if it is down wait until it is fenced and they run elsewhere",
                vms);
        }
        if (!host.Maintenance)
        {
            return Refused(host.Id, "not-in-maintenance",
                $"host '{host.Id}' is not in maintenance: put it in maintenance first (POST /v1/hosts/{host.Id}/maintenance) so that no VM is placed on it while it is removed",
                null);
        }
        return null;
    }

    /// <summary>HA VMs the engine's placement assigns to the host (running, starting or stopping there), sorted.</summary>
    private static async Task<List<string>> HaVmsOnAsync(ICoordinatorStore store, string hostId, CancellationToken cancellationToken)
    {
        var vms = new List<string>();
        string? after = null;
        do
        {
            var page = await store.ListAsync(CoordinatorEngine.VmShardPrefix, after, StoreLimits.MaxPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var document in page.Documents)
            {
                if (JsonSerializer.Deserialize(document.Value.Span, EngineJsonContext.Default.VmShardDocument) is { } shard)
                {
                    foreach (var (vmId, placedOn) in shard.Placement)
                    {
                        if (string.Equals(placedOn, hostId, StringComparison.Ordinal))
                        {
                            vms.Add(vmId);
                        }
                    }
                }
            }
            after = page.NextStartAfter;
        }
        while (after is not null);
        vms.Sort(StringComparer.Ordinal);
        return vms;
    }

    private static IResult Refused(string hostId, string reason, string detail, List<string>? vms)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["host"] = hostId, ["reason"] = reason };
        if (vms is not null)
        {
            extensions["vms"] = vms.ToArray();
        }
        return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Host cannot be removed now", detail: detail, extensions: extensions);
    }
}
