namespace HaAgent.NativeInterop.Libvirt;

/// <summary>virDomainControlState: what libvirt's control channel to the hypervisor (QEMU's monitor) is doing.</summary>
public enum DomainControlState
{
    /// <summary>Idle, ready to accept commands.</summary>
    Ok = 0,
    /// <summary>A job holds the domain but is not inside the monitor (or a background job such as a migration runs).</summary>
    Job = 1,
    /// <summary>A command is inside the monitor, waiting for QEMU's reply.</summary>
    Occupied = 2,
    /// <summary>Unusable; <see cref="DomainControlInfo.ErrorReason"/> says why (e.g. the monitor connection broke).</summary>
    Error = 3,
}
