using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

public sealed partial class HaCoordinator
{
    private void UpdateStormGuard(DateTimeOffset now, int watched, int silent)
    {
        var engage = watched >= _options.FencingStormMinHosts && silent > _options.FencingStormShare * watched;
        if (engage == _stormGuard)
        {
            return;
        }
        _stormGuard = engage;
        var evidence = $"{silent} of {watched} watched hosts silent (limit {_options.FencingStormShare:0.##} of them)";
        Audit(now, AuditKind.FencingStormGuard, "cluster",
            engage
                ? "FENCING-STORM GUARD ENGAGED: suspecting this observer's own network; no host is fenced while it lasts"
                : "fencing-storm guard released",
            evidence);
    }

    private void EvaluateHost(HostRecord host, DateTimeOffset now)
    {
        var networkAge = now - host.LastNetworkHeartbeat;
        var networkFresh = networkAge <= _options.NetworkSuspectAfter;
        var storageAdvancing = now - host.LastStorageAdvance <= _options.StorageStallAfter;
        switch (host.State)
        {
            case HostState.Healthy:
                if (!networkFresh)
                {
                    ChangeState(host, HostState.Suspect, now, Evidence(host, now));
                    break;
                }
                CheckStorageWhileAlive(host, storageAdvancing, now);
                if (host.MaintenanceRequested)
                {
                    ChangeState(host, HostState.Maintenance, now, "operator request");
                    DrainForMaintenance(host, now);
                }
                break;
            case HostState.Maintenance:
                if (!networkFresh && host.AssignedVms > 0)
                {
                    // Not drained yet and silent: its VMs are at stake, so it is judged like any other host.
                    ChangeState(host, HostState.Suspect, now, Evidence(host, now));
                }
                else if (!host.MaintenanceRequested)
                {
                    ChangeState(host, HostState.Healthy, now, "operator ended maintenance");
                }
                break;
            case HostState.Suspect:
                if (networkFresh)
                {
                    ChangeState(host, HostState.Healthy, now, Evidence(host, now));
                }
                else if (networkAge > _options.NetworkDeadAfter)
                {
                    ChangeState(host, storageAdvancing ? HostState.Isolated : HostState.Dead, now, Evidence(host, now));
                    TryBeginFence(host, now);
                }
                break;
            case HostState.Isolated:
            case HostState.Dead:
                if (networkFresh)
                {
                    ChangeState(host, HostState.Healthy, now, Evidence(host, now));
                    break;
                }
                ChangeState(host, storageAdvancing ? HostState.Isolated : HostState.Dead, now, Evidence(host, now));
                TryBeginFence(host, now);
                break;
            case HostState.Fencing:
                if (host.ContinueFence is { } previous)
                {
                    ContinueFence(host, previous, now);
                    break;
                }
                // Heard after the round began (for a continued round: after this coordinator took over), not merely
                // within the suspect time of a term start that set every host's last heartbeat to "now".
                if (HeardSince(host, host.StateSince, networkFresh) && !host.BackDuringFenceAudited)
                {
                    host.BackDuringFenceAudited = true;
                    Audit(now, AuditKind.StatusChange, host.Subject,
                        "talks again during its fence: the fence completes, then the host is unfenced",
                        Evidence(host, now));
                }
                ProgressFence(host, now);
                break;
            case HostState.FenceFailed:
                if (HeardSince(host, host.StateSince, networkFresh))
                {
                    // Its VMs were never released, so they stay; only a possibly half-applied fence must be lifted.
                    host.ReturnedFrom = HostState.FenceFailed;
                    BeginReturn(host, now);
                }
                else if (now >= host.NextFenceRoundAt)
                {
                    host.Fence = null;
                    ChangeState(host, storageAdvancing ? HostState.Isolated : HostState.Dead, now,
                        $"new fence round after {Seconds(_options.FenceRoundBackoff)} backoff; {Evidence(host, now)}");
                    TryBeginFence(host, now);
                }
                break;
            case HostState.Fenced:
            case HostState.SelfFenced:
                if (HeardSince(host, host.StateSince, networkFresh))
                {
                    host.ReturnedFrom = host.State;
                    BeginReturn(host, now);
                }
                break;
            case HostState.Returning:
                if (!networkFresh)
                {
                    // Nothing was lifted yet: a fenced host goes back to being fenced; one whose fence never held still
                    // holds its VMs, so it is judged from scratch.
                    ChangeState(host, host.ReturnedFrom == HostState.FenceFailed ? HostState.Suspect : host.ReturnedFrom,
                        now, Evidence(host, now));
                    break;
                }
                ProgressReturn(host, now);
                break;
            case HostState.Unfencing:
                if (!networkFresh)
                {
                    // The unfence may have applied: it could write again, so it is judged from scratch.
                    ChangeState(host, HostState.Suspect, now, Evidence(host, now));
                    break;
                }
                ProgressUnfence(host, now);
                break;
            default:
                break;
        }
    }

    /// <summary>A heartbeat sent after <paramref name="since"/>: one from before the fence proves nothing about now.</summary>
    private static bool HeardSince(HostRecord host, DateTimeOffset since, bool networkFresh) =>
        networkFresh && host.LastNetworkHeartbeat > since;

    /// <remarks>
    /// A host that never wrote a storage heartbeat (none configured, or not yet) is not "stalled": there is no
    /// heartbeat that stopped. It can still receive VMs; a silent one is judged dead, never isolated, and fenced first.
    /// </remarks>
    private void CheckStorageWhileAlive(HostRecord host, bool storageAdvancing, DateTimeOffset now)
    {
        if (!host.StorageSeen)
        {
            return;
        }
        if (!storageAdvancing && !host.StorageStalled)
        {
            host.StorageStalled = true;
            Audit(now, AuditKind.StorageStalled, host.Subject,
                "storage heartbeat stalled: receives no VMs; not fenced, its network heartbeats prove it alive",
                Evidence(host, now));
        }
        else if (storageAdvancing && host.StorageStalled)
        {
            host.StorageStalled = false;
            Audit(now, AuditKind.StorageRecovered, host.Subject, "storage heartbeat advancing again", Evidence(host, now));
        }
    }

    private string Evidence(HostRecord host, DateTimeOffset now)
    {
        var network = host.EverHeard
            ? $"network heartbeat {Seconds(now - host.LastNetworkHeartbeat)} old (incarnation {host.Incarnation})"
            : $"no network heartbeat for {Seconds(now - host.LastNetworkHeartbeat)}";
        var storageAge = now - host.LastStorageAdvance;
        var storage = !host.StorageSeen
            ? $"no storage heartbeat for {Seconds(storageAge)}"
            : storageAge <= _options.StorageStallAfter
                ? $"storage heartbeat seq {host.StorageSequence} advancing"
                : $"storage heartbeat seq {host.StorageSequence} stalled {Seconds(storageAge)}";
        return $"{network}; {storage}; last epoch seen {host.StorageEpochSeen}";
    }
}
