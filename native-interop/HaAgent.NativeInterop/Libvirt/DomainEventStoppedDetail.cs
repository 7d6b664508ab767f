namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a STOPPED lifecycle event (virDomainEventStoppedDetailType).</summary>
public enum DomainEventStoppedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN</summary>
    Shutdown = 0,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_DESTROYED</summary>
    Destroyed = 1,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_CRASHED</summary>
    Crashed = 2,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_MIGRATED</summary>
    Migrated = 3,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_SAVED</summary>
    Saved = 4,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_FAILED</summary>
    Failed = 5,
    /// <summary>VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT</summary>
    FromSnapshot = 6,
}
