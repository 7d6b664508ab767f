namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>A group in GET /v1/groups: its name and how many VMs name it.</summary>
internal sealed record GroupSummary(string Name, int VmCount);
