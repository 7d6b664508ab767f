namespace HaAgent.NativeInterop.Libvirt;

/// <summary>virDomainShutoffReason: why a domain is shut off, the reason HA cares most about.</summary>
public enum DomainShutoffReason
{
    Unknown = 0,
    Shutdown = 1,
    Destroyed = 2,
    Crashed = 3,
    Migrated = 4,
    Saved = 5,
    Failed = 6,
    FromSnapshot = 7,
    Daemon = 8,
}
