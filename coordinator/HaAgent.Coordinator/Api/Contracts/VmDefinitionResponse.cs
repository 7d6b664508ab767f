namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Answer of PUT /v1/vms/{id}/definition: what was stored (the XML itself is read back with GET).</summary>
internal sealed record VmDefinitionResponse(string VmId, string Uuid, string Sha256, int Bytes, long Version);
