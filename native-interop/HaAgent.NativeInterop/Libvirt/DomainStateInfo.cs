namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// A domain's state and the reason for it (virDomainGetState). <see cref="Reason"/> is the raw number: its
/// meaning depends on the state (virDomainRunningReason, virDomainShutoffReason, ...).
/// </summary>
public readonly record struct DomainStateInfo(DomainState State, int Reason)
{
    /// <summary>The typed reason when the domain is shut off, otherwise null.</summary>
    public DomainShutoffReason? ShutoffReason => State == DomainState.ShutOff ? (DomainShutoffReason)Reason : null;
}
