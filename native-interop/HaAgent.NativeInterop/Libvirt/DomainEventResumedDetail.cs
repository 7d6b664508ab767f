namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a RESUMED lifecycle event (virDomainEventResumedDetailType).</summary>
public enum DomainEventResumedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_RESUMED_UNPAUSED</summary>
    Unpaused = 0,
    /// <summary>VIR_DOMAIN_EVENT_RESUMED_MIGRATED</summary>
    Migrated = 1,
    /// <summary>VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT</summary>
    FromSnapshot = 2,
    /// <summary>VIR_DOMAIN_EVENT_RESUMED_POSTCOPY</summary>
    Postcopy = 3,
    /// <summary>VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED</summary>
    PostcopyFailed = 4,
}
