using System.Text;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Store;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Protocol.Messages;
using CoreFenceOrder = HaAgent.Core.Env.FenceOrder;
using CoreUnfenceOrder = HaAgent.Core.Env.UnfenceOrder;
using ProtocolFenceOrder = HaAgent.Protocol.Messages.FenceOrder;
using ProtocolUnfenceOrder = HaAgent.Protocol.Messages.UnfenceOrder;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEngine
{
    /// <summary>In-flight entries older than this are forgotten (the core has long re-issued or given up on them).</summary>
    private static readonly TimeSpan InFlightLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// Sends the orders of the committed steps, mapped to the protocol (TRANSPORT.md), each re-checked against the
    /// leadership right before it is queued. A start needs the VM's domain XML (<c>vmdefs/&lt;vm&gt;</c>): without
    /// one nothing is sent and the core gets a failed start at once (audited), so it places the VM again later.
    /// </summary>
    private async Task DispatchAsync(CoordinatorEnvironment env, IAgentOrderOutbox outbox, CancellationToken cancellationToken)
    {
        if (env.Orders.Count == 0 || env.PendingAudit.Count > 0)
        {
            return;
        }
        var orders = env.Orders.ToArray();
        env.Orders.Clear();
        var now = _time.GetUtcNow();
        for (var i = 0; i < orders.Length; i++)
        {
            if (env.Leadership.IsLost)
            {
                return;
            }
            switch (orders[i])
            {
                case CoreFenceOrder fence:
                    Send(env, outbox, fence.ExecutorHostId, fence.Token, InFlightKind.Fence, fence.FenceId, fence.FenceId, fence.VictimHostId, now,
                        stamp => new ProtocolFenceOrder(fence.FenceId, stamp, fence.VictimHostId, CephAddresses(fence.Targets), IscsiTargets(fence.Targets)));
                    break;
                case CoreUnfenceOrder unfence:
                    var allowed = _core!.VmsAssignedTo(unfence.HostId).ToArray(); // id order: the core keeps its VMs sorted
                    Send(env, outbox, unfence.HostId, unfence.Token, InFlightKind.Unfence, unfence.UnfenceId, unfence.UnfenceId, unfence.HostId, now,
                        stamp => new ProtocolUnfenceOrder(unfence.UnfenceId, stamp, allowed, CephAddresses(unfence.Targets), IscsiTargets(unfence.Targets)));
                    break;
                case VmStartOrder start:
                    if (!_core!.TryGetVmState(start.VmId, out _, out _))
                    {
                        break; // unprotected or deleted since the step that ordered it (its commit had to wait): HA no longer starts it
                    }
                    StoredDocument? definition;
                    try
                    {
                        definition = await _store.GetAsync(DefinitionsPrefix + start.VmId, cancellationToken).ConfigureAwait(false);
                    }
                    catch (StoreUnavailableException e)
                    {
                        Log.StoreUnavailable(_logger, e.Message);
                        env.Orders.AddRange(orders[i..]);
                        return;
                    }
                    if (definition is null)
                    {
                        NoDefinition(env, start, now);
                        break;
                    }
                    var xml = Encoding.UTF8.GetString(definition.Value.Span);
                    var volumes = Volumes(start.VmId);
                    var startId = OrderId("start", start.VmId, start.Token);
                    Send(env, outbox, start.HostId, start.Token, InFlightKind.Start, startId, startId, start.VmId, now,
                        stamp => new StartVmOrder(startId, stamp, start.VmId, xml, volumes));
                    break;
                case VmStopOrder stop:
                    var stopId = OrderId("stop", stop.VmId, stop.Token);
                    Send(env, outbox, stop.HostId, stop.Token, InFlightKind.Stop, stopId, stopId, stop.VmId, now,
                        stamp => new StopVmOrder(stopId, stamp, stop.VmId));
                    break;
                default:
                    break;
            }
        }
        env.ForgetOlderThan(now - InFlightLifetime);
    }

    private static void Send(
        CoordinatorEnvironment env,
        IAgentOrderOutbox outbox,
        string hostId,
        long token,
        InFlightKind kind,
        string orderId,
        string coreId,
        string subject,
        DateTimeOffset now,
        Func<OrderStamp, AgentOrder> build)
    {
        // An order of an older step under a token that is no longer ours must not go out under the new epoch.
        if (env.Leadership.IsLost || token != env.Leadership.Epoch)
        {
            return;
        }
        outbox.Send(hostId, token, stamp =>
        {
            env.Track(orderId, new InFlightOrder(kind, hostId, stamp, coreId, subject, now));
            return build(stamp);
        });
    }

    private void NoDefinition(CoordinatorEnvironment env, VmStartOrder start, DateTimeOffset now)
    {
        var why = $"no domain definition known ({DefinitionsPrefix}{start.VmId}): no agent sent one and none was set through the API";
        Log.NoDefinition(_logger, start.VmId, start.HostId);
        env.Audit(new AuditRecord(now, AuditKind.VmStartFailed, "vm " + start.VmId, $"start on {start.HostId} not sent", why));
        env.Observe(new VmStartResult(now, start.Token, start.VmId, start.HostId, false, why));
    }

    private string OrderId(string kind, string vmId, long epoch) =>
        $"{kind}-{vmId}-{epoch}-{Interlocked.Increment(ref _term.OrderCounter)}";

    private VolumeSpec[] Volumes(string vmId) =>
        _term.Vms.TryGetValue(vmId, out var spec)
            ? [.. spec.Volumes.Select(static v => v switch
            {
                CephVolume ceph => new VolumeSpec("rbd", ceph.Pool, ceph.Image),
                IscsiVolume iscsi => new VolumeSpec("iscsi", iscsi.Target, iscsi.Lun.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                _ => throw new InvalidOperationException($"unknown volume {v}"),
            })]
            : [];

    private static string[] CephAddresses(IReadOnlyList<FenceTarget> targets) =>
        [.. targets.OfType<CephBlocklistTarget>().SelectMany(static t => t.Addresses).Distinct(StringComparer.Ordinal)];

    private static IscsiFenceTarget[] IscsiTargets(IReadOnlyList<FenceTarget> targets) =>
        [.. targets.OfType<IscsiPreemptTarget>().Select(static t => new IscsiFenceTarget(t.Target, t.Lun, t.VictimKey))];
}
