namespace HaAgent.Coordinator.Engine.Documents;

/// <summary>
/// <c>engine/vms/NNN</c>: the part of HaCoordinator.Snapshot() about the VMs whose id hashes to this shard — where
/// each assigned VM is placed, and which VMs were released (proven stopped) and wait for a restart.
/// </summary>
internal sealed record VmShardDocument(Dictionary<string, string> Placement, List<string> Released);
