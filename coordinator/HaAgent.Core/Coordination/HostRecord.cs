using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Core.Coordination;

/// <summary>Everything the coordinator knows about one host. Mutable; owned by one <see cref="HaCoordinator"/>.</summary>
internal sealed class HostRecord(HostSpec spec, HostFenceIdentity identity)
{
    /// <summary>Replaced by HaCoordinator.UpsertHost (capacity, failure-domain labels); the id never changes.</summary>
    public HostSpec Spec { get; set; } = spec;
    /// <summary>Replaced when the host's agent announces a new one (a restart gets new Ceph client nonces).</summary>
    public HostFenceIdentity Identity { get; set; } = identity;
    // Kept here, not read through Spec: the decision step touches every host, and one object per host is cheaper than two.
    public string Id { get; } = spec.Id;
    public string Subject { get; } = "host " + spec.Id;

    public HostState State { get; set; }
    public DateTimeOffset StateSince { get; set; }

    public DateTimeOffset LastNetworkHeartbeat { get; set; }
    public long Incarnation { get; set; }
    public bool EverHeard { get; set; }

    public bool StorageSeen { get; set; }
    public long StorageIncarnation { get; set; }
    public long StorageSequence { get; set; }
    public long StorageEpochSeen { get; set; }
    public DateTimeOffset LastStorageAdvance { get; set; }
    public bool StorageStalled { get; set; }

    public IReadOnlyList<string>? LastReport { get; set; }
    public DateTimeOffset LastReportAt { get; set; }

    /// <summary>VMs assigned here in state Running, Starting or Stopping.</summary>
    public int AssignedVms { get; set; }

    /// <summary>Bumped whenever a VM is assigned here or leaves; a report is re-judged only when it or this changed.</summary>
    public long AssignmentVersion { get; set; }

    /// <summary>The <see cref="AssignmentVersion"/> the last fully judged report was checked against.</summary>
    public long ReportCheckedVersion { get; set; } = -1;

    public bool MaintenanceRequested { get; set; }
    public bool FenceNotNeededAudited { get; set; }
    public bool BackDuringFenceAudited { get; set; }

    /// <summary>Its removal was asked for and deferred: it is drained, or fenced, first.</summary>
    public bool RemovalDeferred { get; set; }

    /// <summary>That deferral is in the audit log (once, by a leading coordinator).</summary>
    public bool RemovalDeferralAudited { get; set; }

    /// <summary>The operator's maintenance request before a deferred removal put the host in maintenance (restored if it is called off).</summary>
    public bool? MaintenanceBeforeRemoval { get; set; }

    /// <summary>The round in progress (Fencing) or last failed (FenceFailed).</summary>
    public FenceRound? Fence { get; set; }

    /// <summary>Targets any fence order was sent for and not yet lifted: the host must be unfenced before it rejoins.</summary>
    public List<FenceTarget>? FencedTargets { get; set; }

    public DateTimeOffset NextFenceRoundAt { get; set; }

    /// <summary>A fence a previous leader ordered and did not see end: continued at this coordinator's first leading step.</summary>
    public FenceInProgress? ContinueFence { get; set; }

    /// <summary>Fenced, SelfFenced or FenceFailed: the state a returning host came from, for when it falls silent again.</summary>
    public HostState ReturnedFrom { get; set; } = HostState.Fenced;

    public string? UnfenceId { get; set; }
    public DateTimeOffset UnfenceIssuedAt { get; set; }

    /// <summary>Leftover VMs a stop was ordered for on this returning host, with when.</summary>
    public Dictionary<string, DateTimeOffset>? LeftoverStops { get; set; }

    /// <summary>VMs seen here while assigned elsewhere, with when their stop was ordered (re-ordered after the order timeout).</summary>
    public Dictionary<string, DateTimeOffset>? DuplicateStops { get; set; }
}
