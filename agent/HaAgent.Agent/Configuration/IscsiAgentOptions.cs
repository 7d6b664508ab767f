using HaAgent.NativeInterop.Iscsi;

namespace HaAgent.Agent.Configuration;

internal sealed class IscsiAgentOptions
{
    /// <summary>This host's initiator name for the agent's own sessions (fence and heartbeat).</summary>
    public string InitiatorIqn { get; set; } = "";

    /// <summary>This host's SCSI-3 PR key, hex ("0xA0A00000000000A1") or decimal; never 0.</summary>
    public string ReservationKey { get; set; } = "";

    /// <summary>Portals ("IP:PORT") tried in order when an order names none.</summary>
    public List<string> Portals { get; set; } = [];

    /// <summary>Reservation type a fence leaves in place; only the registrants-only types shut a preempted host out.</summary>
    public PersistentReservationType ReservationType { get; set; } = PersistentReservationType.WriteExclusiveRegistrantsOnly;

    /// <summary>Per-command bound (libiscsi checks it about once a second).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Shared heartbeat LUN: one block per host at <see cref="HeartbeatSlot"/>; null writes no iSCSI heartbeat.</summary>
    public IscsiLunOptions? HeartbeatLun { get; set; }

    /// <summary>This host's block on the heartbeat LUN (fixed, unique per host).</summary>
    public int HeartbeatSlot { get; set; }

    /// <summary>The parsed <see cref="ReservationKey"/> (validated at start).</summary>
    public ulong ReservationKeyValue => AgentLimits.TryParseReservationKey(ReservationKey, out var key) ? key : 0;
}
