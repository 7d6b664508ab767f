namespace HaAgent.Coordinator.Api.Contracts;

internal sealed record LeaderResponse(string InstanceId, long Epoch);
