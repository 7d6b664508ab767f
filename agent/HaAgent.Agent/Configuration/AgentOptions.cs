namespace HaAgent.Agent.Configuration;

/// <summary>
/// Everything the agent needs on one host, bound from /etc/haagent/agent.json (keys are case-insensitive; the path is
/// overridable with <c>--config PATH</c> or <c>HAAGENT_CONFIG</c>) and from <c>HAAGENT_</c> environment variables.
/// Validated at start: a bad value stops the process with a message naming the key.
/// </summary>
internal sealed class AgentOptions
{
    /// <summary>This host's id as the coordinator knows it; also names its heartbeat record.</summary>
    public string HostId { get; set; } = "";

    /// <summary>Failure-domain labels, e.g. {"rack": "r12", "zone": "z1"}; the placement planner spreads replicas over them.</summary>
    public Dictionary<string, string> FailureDomains { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Coordinator endpoints (absolute http/https URIs), tried in order.</summary>
    public List<string> CoordinatorEndpoints { get; set; } = [];

    /// <summary>How the agent talks to the coordinators listed in <see cref="CoordinatorEndpoints"/> (secret, timeouts, report cadence).</summary>
    public CoordinatorLinkOptions Coordinator { get; set; } = new();

    /// <summary>Where the agent persists what must survive a restart: the highest fencing token seen, self-fence records.</summary>
    public string StateFile { get; set; } = "/var/lib/haagent/agent-state.json";

    public LibvirtAgentOptions Libvirt { get; set; } = new();

    /// <summary>Ceph settings; absent on hosts without Ceph volumes.</summary>
    public CephAgentOptions? Ceph { get; set; }

    /// <summary>iSCSI settings; absent on hosts without iSCSI volumes.</summary>
    public IscsiAgentOptions? Iscsi { get; set; }

    public AgentIntervals Intervals { get; set; } = new();

    public WatchdogOptions Watchdog { get; set; } = new();

    /// <summary>The agent's own memory: the one-off trim after start-up.</summary>
    public MemoryAgentOptions Memory { get; set; } = new();
}
