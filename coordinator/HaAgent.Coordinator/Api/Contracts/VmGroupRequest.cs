namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Body of PUT /v1/vms/{id}/group; DELETE /v1/vms/{id}/group takes the VM out of its group.</summary>
internal sealed record VmGroupRequest(string? Group);
