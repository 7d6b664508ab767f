namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a STARTED lifecycle event (virDomainEventStartedDetailType).</summary>
public enum DomainEventStartedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_STARTED_BOOTED</summary>
    Booted = 0,
    /// <summary>VIR_DOMAIN_EVENT_STARTED_MIGRATED</summary>
    Migrated = 1,
    /// <summary>VIR_DOMAIN_EVENT_STARTED_RESTORED</summary>
    Restored = 2,
    /// <summary>VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT</summary>
    FromSnapshot = 3,
    /// <summary>VIR_DOMAIN_EVENT_STARTED_WAKEUP</summary>
    Wakeup = 4,
}
