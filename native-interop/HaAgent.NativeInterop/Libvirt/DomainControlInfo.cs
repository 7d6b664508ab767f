namespace HaAgent.NativeInterop.Libvirt;

/// <summary>
/// virDomainGetControlInfo: the state of libvirt's control channel to a domain and how long it has been in it
/// (<see cref="StateTime"/> is meaningful for <see cref="DomainControlState.Job"/> and
/// <see cref="DomainControlState.Occupied"/> only).
/// </summary>
public readonly record struct DomainControlInfo(DomainControlState State, int Details, TimeSpan StateTime)
{
    /// <summary>The typed reason when <see cref="State"/> is <see cref="DomainControlState.Error"/>, otherwise null.</summary>
    public DomainControlErrorReason? ErrorReason => State == DomainControlState.Error ? (DomainControlErrorReason)Details : null;
}
