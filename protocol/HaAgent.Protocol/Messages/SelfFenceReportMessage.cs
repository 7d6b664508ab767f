namespace HaAgent.Protocol.Messages;

/// <summary>The agent fenced itself (killed its HA VMs after losing the coordinator); it now refuses starts until an unfence.</summary>
/// <param name="KilledVms">HA VMs it killed.</param>
public sealed record SelfFenceReportMessage(string HostId, long Incarnation, string Reason, IReadOnlyList<string> KilledVms)
    : AgentMessage(HostId, Incarnation);
