namespace HaAgent.Agent.Vms;

internal sealed record VmWatcherOptions(
    string Uri,
    string ManagedDomainPrefix,
    string? QemuPidDirectory,
    TimeSpan OpenTimeout,
    TimeSpan ReconcileInterval,
    TimeSpan ProbeInterval)
{
    /// <summary>
    /// How often each running VM's QEMU monitor is asked <c>query-status</c> (rounded up to <see cref="ProbeInterval"/>
    /// ticks); null turns the monitor probe off (the /proc probe still catches a SIGSTOPped QEMU). The agent sets it from
    /// <c>Intervals:MonitorProbe</c> (15 s by default); this default is what tests and benchmarks built on the watcher get.
    /// </summary>
    public TimeSpan? MonitorProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A monitor that has not answered within this is hung (confirmed by libvirt's control info: the command is inside
    /// the monitor, not waiting behind another job). Worst-case detection: <see cref="MonitorProbeInterval"/> +
    /// this + one <see cref="ProbeInterval"/>.
    /// </summary>
    public TimeSpan MonitorTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Monitor commands allowed to be outstanding at once. Each one stuck on a frozen QEMU holds one of this agent's
    /// threads and one of libvirtd's workers (max_workers = 20 by default) until QEMU answers or dies, so this stays
    /// well below libvirtd's pool; VMs beyond it are probed once a slot frees.
    /// </summary>
    public int MaxOutstandingMonitorProbes { get; init; } = 8;
}
