namespace HaAgent.Agent.Vms;

/// <summary>What the agent believes about one HA-managed VM.</summary>
internal enum VmStatus
{
    /// <summary>Not yet reconciled.</summary>
    Unknown,
    Running,
    /// <summary>Paused by libvirt (or PM-suspended): alive, holding its volumes, not making progress.</summary>
    Paused,
    /// <summary>Shut off cleanly (destroyed, shut down, saved...).</summary>
    Stopped,
    /// <summary>QEMU died (its pidfd fired, libvirt says failed/crashed) or the guest crashed.</summary>
    Crashed,
    /// <summary>
    /// QEMU exists but does not run: stopped (SIGSTOP, ptrace) or its monitor does not answer in time (cgroup-frozen,
    /// stuck in the kernel or in a deadlock). libvirt still says running, and it can resume and write.
    /// </summary>
    Hung,
}
