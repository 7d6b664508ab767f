namespace HaAgent.NativeInterop.Libvirt;

/// <summary>Detail of a CRASHED lifecycle event (virDomainEventCrashedDetailType).</summary>
public enum DomainEventCrashedDetail
{
    /// <summary>VIR_DOMAIN_EVENT_CRASHED_PANICKED</summary>
    Panicked = 0,
    /// <summary>VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED</summary>
    Crashloaded = 1,
}
