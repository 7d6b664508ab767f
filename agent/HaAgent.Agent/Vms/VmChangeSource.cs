namespace HaAgent.Agent.Vms;

/// <summary>What revealed a change.</summary>
internal enum VmChangeSource
{
    LifecycleEvent,
    /// <summary>QEMU's pidfd became readable: the process exited (seen before libvirt, which waits for the reap).</summary>
    ProcessExit,
    /// <summary>/proc/PID/stat shows the QEMU stopped (T) or back to running.</summary>
    ProcessProbe,
    /// <summary>The periodic full re-list (catches events lost while disconnected).</summary>
    Reconcile,
    /// <summary>QEMU's monitor left a <c>query-status</c> unanswered past the timeout (libvirt: occupied), or answered again.</summary>
    MonitorProbe,
}
