namespace HaAgent.NativeInterop.Libvirt;

/// <summary>virDomainControlErrorReason.</summary>
public enum DomainControlErrorReason
{
    None = 0,
    Unknown = 1,
    /// <summary>The monitor connection is broken.</summary>
    Monitor = 2,
    /// <summary>libvirt itself is stuck in a job it never entered the monitor for.</summary>
    Internal = 3,
}
