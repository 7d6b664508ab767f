namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a DEFINED lifecycle event (virDomainEventDefinedDetailType).</summary>
public enum DomainEventDefinedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_DEFINED_ADDED</summary>
    Added = 0,
    /// <summary>VIR_DOMAIN_EVENT_DEFINED_UPDATED</summary>
    Updated = 1,
    /// <summary>VIR_DOMAIN_EVENT_DEFINED_RENAMED</summary>
    Renamed = 2,
    /// <summary>VIR_DOMAIN_EVENT_DEFINED_FROM_SNAPSHOT</summary>
    FromSnapshot = 3,
}
