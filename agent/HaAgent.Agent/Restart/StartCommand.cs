namespace HaAgent.Agent.Restart;

/// <summary>
/// An order to start a VM on this host (the coordinator's VmStartOrder, agent side). <see cref="DomainXml"/> must name
/// the same VM (<see cref="VmName"/>, <see cref="VmUuid"/>) and its writable disks must be exactly <see cref="Volumes"/>:
/// the coordinator fenced the old host off those volumes, so the new QEMU may open those and nothing else.
/// </summary>
/// <param name="CommandId">Unique per attempt; a repeat of a finished id returns the earlier report without acting again.</param>
/// <param name="Volumes">Disk sources as they appear in the XML: a file or device path, <c>protocol:name</c> for a network disk, <c>pool/volume</c> for a pool volume.</param>
internal sealed record StartCommand(string CommandId, long Token, string VmName, Guid VmUuid, string DomainXml, IReadOnlyList<string> Volumes);
