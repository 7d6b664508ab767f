namespace HaAgent.Core.Env;

/// <summary>What an audit record is about. Stable names: operators grep for them.</summary>
public enum AuditKind
{
    StatusChange,
    StorageStalled,
    StorageRecovered,
    FencingStormGuard,
    EpochChanged,
    FenceNotNeeded,
    FenceOrdered,
    FenceAttemptFailed,
    FenceVerified,
    CannotFence,
    SelfFenced,
    StaleResultIgnored,
    VmReleased,
    VmStartOrdered,
    VmStarted,
    VmStartFailed,
    VmUnplaceable,
    RestartLimited,
    VmStopOrdered,
    VmStopped,
    DuplicateVm,
    UnfenceOrdered,
    Unfenced,
    Maintenance,
    OrderRefused,

    /// <summary>The operator changed the configuration in a way that touches a VM the coordinator is acting on.</summary>
    ConfigurationChanged,
}
