namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Readiness: the store answered; <see cref="Leading"/> says whether this instance leads, <see cref="Leader"/> who does.</summary>
internal sealed record ReadyResponse(string Status, string Instance, bool Leading, LeaderResponse? Leader);
