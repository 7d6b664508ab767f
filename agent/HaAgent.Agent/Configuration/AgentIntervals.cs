namespace HaAgent.Agent.Configuration;

/// <summary>Timing. Checked together at start (see <see cref="AgentOptionsRules"/>): the self-fence must come well after a missed heartbeat.</summary>
internal sealed class AgentIntervals
{
    /// <summary>How often the storage heartbeat is written.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>With no coordinator contact for this long, the agent destroys its HA VMs (self-fence).</summary>
    public TimeSpan SelfFenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a destroyed VM's QEMU may take to go before it is SIGKILLed.</summary>
    public TimeSpan SelfFenceKillGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Full libvirt re-list (one call per domain), a safety net: a new connection is always listed at once, and
    /// events and QEMU's pidfd report changes as they happen. 30 s: 5 s cost ~0.1 % of a core with 50 VMs.
    /// </summary>
    public TimeSpan Reconcile { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each running QEMU's /proc state is checked (a SIGSTOPped QEMU is reported hung within this).</summary>
    public TimeSpan VmProbe { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each running QEMU's monitor is asked <c>query-status</c>: a QEMU whose main loop is frozen but not
    /// stopped is reported hung within this + the 5 s monitor timeout; 0 turns the probe off (the /proc probe still
    /// catches a SIGSTOPped QEMU every <see cref="VmProbe"/>). 15 s, not 5: each probe is one libvirt RPC (~0.24 ms of
    /// agent CPU plus libvirtd's and QEMU's share), so 50 VMs probed every 5 s cost ~0.2 % of a core on their own; Hung
    /// changes no HA decision (the coordinator treats it like Running), it is for operators.
    /// </summary>
    public TimeSpan MonitorProbe { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Log a memory line (GC heap, committed, RSS) this often; null (default) logs none.</summary>
    public TimeSpan? MemoryLog { get; set; }

    /// <summary>Bound on each step of a fence or unfence (a blocklist add, a PR OUT, a read-back).</summary>
    public TimeSpan FenceStepTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
