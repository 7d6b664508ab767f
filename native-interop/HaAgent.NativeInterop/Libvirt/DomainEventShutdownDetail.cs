namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a SHUTDOWN lifecycle event (virDomainEventShutdownDetailType).</summary>
public enum DomainEventShutdownDetail
{
    /// <summary>VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED</summary>
    Finished = 0,
    /// <summary>VIR_DOMAIN_EVENT_SHUTDOWN_GUEST</summary>
    Guest = 1,
    /// <summary>VIR_DOMAIN_EVENT_SHUTDOWN_HOST</summary>
    Host = 2,
}
