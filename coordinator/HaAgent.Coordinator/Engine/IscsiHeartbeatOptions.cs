namespace HaAgent.Coordinator.Engine;

/// <summary>The shared heartbeat LUN: one block per host at the slot the host's agent is configured with.</summary>
internal sealed class IscsiHeartbeatOptions
{
    /// <summary>"IP:PORT".</summary>
    public string Portal { get; set; } = "";

    public string TargetIqn { get; set; } = "";

    public int Lun { get; set; } = 1;

    /// <summary>The coordinator's own initiator name (it only reads; it registers no reservation key).</summary>
    public string InitiatorIqn { get; set; } = "";

    /// <summary>Host id → the agent's <c>iscsi.heartbeatSlot</c>.</summary>
    public Dictionary<string, int> Slots { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
