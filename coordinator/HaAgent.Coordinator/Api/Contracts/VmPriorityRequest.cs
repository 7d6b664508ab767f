namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Body of PUT /v1/vms/{id}/priority: higher restarts first when capacity is short.</summary>
internal sealed record VmPriorityRequest(int? Priority);
