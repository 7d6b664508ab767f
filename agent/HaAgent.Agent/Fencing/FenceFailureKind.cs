namespace HaAgent.Agent.Fencing;

/// <summary>Why a fence or unfence step failed. None of these is ever read as success.</summary>
internal enum FenceFailureKind
{
    /// <summary>The order's token is below the highest this agent has seen: refused, nothing changed.</summary>
    StaleToken,
    /// <summary>The order itself is malformed (bad address, whole-host entry given as a client, own key as victim): nothing changed.</summary>
    InvalidOrder,
    /// <summary>This agent has no Ceph or iSCSI configuration for the target.</summary>
    NotConfigured,
    /// <summary>A step did not finish within its bound; whether it took effect is unknown.</summary>
    Timeout,
    /// <summary>Ceph refused the identity (cephx caps or key).</summary>
    PermissionDenied,
    /// <summary>The storage could not be reached (mon, portal, login).</summary>
    Unreachable,
    /// <summary>The storage answered with an error (errno, SCSI status).</summary>
    StorageRefused,
    /// <summary>iSCSI: this host's own key is not registered on the LUN, so it may not preempt (it may be fenced itself).</summary>
    NotRegistered,
    /// <summary>The read-back does not show the fence in place (entry missing, victim key still registered, no reservation).</summary>
    ProofMissing,
    /// <summary>Unfence: HA-managed VMs of this host are still running (or their state is unknown).</summary>
    LeftoverVmsRunning,
    /// <summary>Unfence: a Ceph address given is not one of this host's.</summary>
    NotOwnAddress,
}
