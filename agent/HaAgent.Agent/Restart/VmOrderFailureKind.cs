namespace HaAgent.Agent.Restart;

/// <summary>Why a start or stop did not succeed. Every refusal kind guarantees nothing was changed on this host.</summary>
internal enum VmOrderFailureKind
{
    /// <summary>Refused: malformed order (XML does not name the VM, volumes differ from the disks, not an HA-managed name).</summary>
    InvalidOrder,
    /// <summary>Refused: the token is below the highest this agent has seen.</summary>
    StaleToken,
    /// <summary>Refused: this agent self-fenced and has not been unfenced since (also when the self-fence raced the start: the VM was stopped again).</summary>
    SelfFenced,
    /// <summary>Refused: the VM (or a QEMU carrying its UUID) already runs here.</summary>
    AlreadyRunning,
    /// <summary>Refused: another domain here already uses this name or this UUID.</summary>
    Conflict,
    /// <summary>QEMU could not take the write lock on a disk image: another process still writes it. The definition was restored.</summary>
    ImageLocked,
    /// <summary>libvirt could not be reached.</summary>
    Unreachable,
    /// <summary>A step did not finish within its bound; a start that timed out is stopped again.</summary>
    Timeout,
    /// <summary>libvirt refused to define or start the domain (other than a lock); the definition was restored.</summary>
    StartFailed,
    /// <summary>Started, but running could not be confirmed (libvirt state or QEMU process); the VM was stopped again.</summary>
    NotConfirmed,
    /// <summary>The VM could not be proven dead (destroy failed and no QEMU process to kill, or QEMU survived SIGKILL).</summary>
    StopFailed,
}
