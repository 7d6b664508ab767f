using HaAgent.Core.Observations;
using HaAgent.Protocol.Messages;
using CoreCephEvidence = HaAgent.Core.Observations.CephBlocklistEvidence;
using CoreIscsiEvidence = HaAgent.Core.Observations.IscsiKeysEvidence;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEnvironment
{
    /// <summary>
    /// The mapping of TRANSPORT.md "Mapping Core ↔ protocol": heartbeats, VM reports, self-fence reports and order
    /// results become observations at once (no store, no lock beyond a queue); Hello and VmDefinition wait for the
    /// engine loop, which writes them to the store.
    /// </summary>
    public void Accept(AgentMessage message, DateTimeOffset receivedAt)
    {
        switch (message)
        {
            case HeartbeatMessage heartbeat:
                Observe(new NetworkHeartbeat(receivedAt, heartbeat.HostId, heartbeat.Incarnation));
                break;
            case VmReportMessage report:
                var vmReport = new VmReport(receivedAt, report.HostId, report.Incarnation, RunningVms(report.Vms));
                _lastVmReports[report.HostId] = vmReport;
                Observe(vmReport);
                break;
            case SelfFenceReportMessage selfFence:
                Observe(new SelfFenceReport(receivedAt, selfFence.HostId, selfFence.Incarnation, selfFence.KilledVms));
                break;
            case OrderResultMessage result:
                if (ToObservation(result, receivedAt) is { } observation)
                {
                    Observe(observation);
                }
                break;
            case HelloMessage or VmDefinitionMessage:
                _agentUpdates.Enqueue((message, receivedAt));
                _wake.Writer.TryWrite(true);
                break;
            default:
                break;
        }
    }

    /// <summary>A hung QEMU still holds its disks: for the core it runs.</summary>
    private static string[] RunningVms(IReadOnlyList<VmStatus> vms)
    {
        var count = 0;
        foreach (var vm in vms)
        {
            if (vm.State is VmRunState.Running or VmRunState.Hung)
            {
                count++;
            }
        }
        var running = new string[count];
        count = 0;
        foreach (var vm in vms)
        {
            if (vm.State is VmRunState.Running or VmRunState.Hung)
            {
                running[count++] = vm.VmId;
            }
        }
        return running;
    }

    private Observation? ToObservation(OrderResultMessage result, DateTimeOffset at)
    {
        if (!_inFlight.TryGetValue(result.OrderId, out var order))
        {
            Log.ResultIgnored(_logger, result.OrderId, result.HostId, result.Stamp.ToString(), "no order of this leader has that id");
            return null;
        }
        if (result.Stamp != order.Stamp || result.Stamp.Epoch != Leadership.Epoch || !string.Equals(result.HostId, order.HostId, StringComparison.Ordinal))
        {
            Log.ResultIgnored(_logger, result.OrderId, result.HostId, result.Stamp.ToString(),
                $"the order went to {order.HostId} with stamp {order.Stamp}, epoch {Leadership.Epoch}");
            return null;
        }
        _inFlight.TryRemove(new KeyValuePair<string, InFlightOrder>(result.OrderId, order));
        var succeeded = result.Outcome == OrderOutcome.Succeeded;
        var error = succeeded ? null : Describe(result);
        var token = result.Stamp.Epoch;
        return order.Kind switch
        {
            InFlightKind.Fence => new FenceResult(at, order.CoreId, token, order.Subject, result.HostId, succeeded, error, Evidence(result)),
            InFlightKind.Unfence => new UnfenceResult(at, order.CoreId, token, result.HostId, succeeded, error),
            InFlightKind.Start => new VmStartResult(at, token, order.Subject, result.HostId, succeeded, error),
            _ => new VmStopResult(at, token, order.Subject, result.HostId, succeeded, error),
        };
    }

    private static string Describe(OrderResultMessage result)
    {
        var kind = result.FailureKind is { } k ? k.ToString() : "unspecified";
        var verb = result.Outcome == OrderOutcome.Refused ? "refused" : "failed";
        return result.FailureMessage is { Length: > 0 } text ? $"{verb} ({kind}): {text}" : $"{verb} ({kind})";
    }

    /// <summary>Keys and addresses normalised exactly as the fence identities are, so the core's comparisons hold.</summary>
    private static List<FenceEvidence> Evidence(OrderResultMessage result)
    {
        var evidence = new List<FenceEvidence>();
        if (result.Ceph is { } ceph)
        {
            evidence.Add(new CoreCephEvidence(ceph.BlocklistEpoch, ceph.ObservedOsdmapEpoch, [.. ceph.Addresses.Select(FenceIdentities.NormalizeCephAddress)]));
        }
        foreach (var iscsi in result.Iscsi)
        {
            evidence.Add(new CoreIscsiEvidence(iscsi.Target, iscsi.Lun, [.. iscsi.Keys.Select(FenceIdentities.NormalizeKey)]));
        }
        return evidence;
    }
}
