namespace HaAgent.Protocol.Messages;

/// <summary>
/// The libvirt definition (inactive domain XML) of an HA-managed VM this host runs, sent when the agent first sees it
/// and whenever it changes, so the coordinator can start the same VM, with the same volumes, on a peer.
/// </summary>
public sealed record VmDefinitionMessage(string HostId, long Incarnation, string VmId, string DomainXml)
    : AgentMessage(HostId, Incarnation);
