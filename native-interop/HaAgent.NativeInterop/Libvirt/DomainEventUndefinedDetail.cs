namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a UNDEFINED lifecycle event (virDomainEventUndefinedDetailType).</summary>
public enum DomainEventUndefinedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_UNDEFINED_REMOVED</summary>
    Removed = 0,
    /// <summary>VIR_DOMAIN_EVENT_UNDEFINED_RENAMED</summary>
    Renamed = 1,
}
