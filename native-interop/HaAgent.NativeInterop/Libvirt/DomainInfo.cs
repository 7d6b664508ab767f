namespace HaAgent.NativeInterop.Libvirt;

/// <summary>One domain as listed by <see cref="LibvirtConnection.ListAllDomains"/>.</summary>
/// <param name="Id">The hypervisor id while running; null when the domain is not running.</param>
/// <param name="Reason">Raw reason number; its meaning depends on <paramref name="State"/>.</param>
public sealed record DomainInfo(string Name, Guid Uuid, int? Id, DomainState State, int Reason)
{
    /// <summary>The typed reason when the domain is shut off, otherwise null.</summary>
    public DomainShutoffReason? ShutoffReason => State == DomainState.ShutOff ? (DomainShutoffReason)Reason : null;
}
