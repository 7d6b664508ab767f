namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a PMSUSPENDED lifecycle event (virDomainEventPMSuspendedDetailType).</summary>
public enum DomainEventPMSuspendedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY</summary>
    Memory = 0,
    /// <summary>VIR_DOMAIN_EVENT_PMSUSPENDED_DISK</summary>
    Disk = 1,
}
