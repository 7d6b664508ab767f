namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>GET /v1/groups/{name}: the VMs in the group and the placement rules naming any of them.</summary>
internal sealed record GroupResponse(string Name, IReadOnlyList<string> VmIds, IReadOnlyList<string> Rules);
