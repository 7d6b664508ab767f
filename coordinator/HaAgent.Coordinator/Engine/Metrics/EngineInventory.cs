namespace HaAgent.Coordinator.Engine.Metrics;

/// <summary>
/// What the leading engine holds in memory, for /metrics: hosts by configured state and VMs by HA protection. Kept
/// from the documents the engine loaded and the changes it applied, so a scrape reads four numbers instead of listing
/// every VM document.
/// </summary>
internal sealed record EngineInventory(int HostsActive, int HostsMaintenance, int VmsProtected, int VmsUnprotected);
