namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a SUSPENDED lifecycle event (virDomainEventSuspendedDetailType).</summary>
public enum DomainEventSuspendedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_PAUSED</summary>
    Paused = 0,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED</summary>
    Migrated = 1,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_IOERROR</summary>
    Ioerror = 2,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG</summary>
    Watchdog = 3,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_RESTORED</summary>
    Restored = 4,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT</summary>
    FromSnapshot = 5,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR</summary>
    ApiError = 6,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY</summary>
    Postcopy = 7,
    /// <summary>VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED</summary>
    PostcopyFailed = 8,
}
