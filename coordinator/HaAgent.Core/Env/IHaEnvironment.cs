using HaAgent.Core.Observations;

namespace HaAgent.Core.Env;

/// <summary>
/// Everything the decision core does to or learns from the world goes through here, so the daemon and the simulator
/// run the same core (after Proxmox pve-ha-manager's PVE::HA::Env). Orders are fire-and-forget: their outcomes come
/// back as <see cref="Observation"/>s.
/// </summary>
public interface IHaEnvironment
{
    /// <summary>The only clock the core reads.</summary>
    TimeProvider Time { get; }

    /// <summary>
    /// The coordinator's fencing token: the leadership epoch this process holds. Every order carries it, agents refuse
    /// orders older than the newest they have seen, and results carrying another value are ignored. Zero or less means
    /// this process does not lead and must order nothing.
    /// </summary>
    long Epoch { get; }

    /// <summary>Takes the next observation received since the last call, oldest first.</summary>
    bool TryTakeObservation([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Observation? observation);

    /// <summary>Reads the newest storage heartbeat record <paramref name="hostId"/> wrote; false when it never wrote one.</summary>
    bool TryReadStorageHeartbeat(string hostId, out StorageHeartbeat heartbeat);

    /// <summary>Asks <see cref="FenceOrder.ExecutorHostId"/> to cut <see cref="FenceOrder.VictimHostId"/> off its volumes.</summary>
    void OrderFence(FenceOrder order);

    /// <summary>Asks a returning host's own agent to lift its fence (remove its blocklist entry, register its keys again).</summary>
    void OrderUnfence(UnfenceOrder order);

    /// <summary>Asks a host's agent to start a VM.</summary>
    void OrderStart(VmStartOrder order);

    /// <summary>Asks a host's agent to stop a VM.</summary>
    void OrderStop(VmStopOrder order);

    /// <summary>Writes one decision, with the evidence it rested on, to the durable audit log.</summary>
    void Audit(AuditRecord record);
}
