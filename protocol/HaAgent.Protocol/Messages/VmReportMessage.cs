namespace HaAgent.Protocol.Messages;

/// <summary>The full list of HA VMs on the host (not a delta: a lost report must not lose a VM).</summary>
public sealed record VmReportMessage(string HostId, long Incarnation, IReadOnlyList<VmStatus> Vms)
    : AgentMessage(HostId, Incarnation);
