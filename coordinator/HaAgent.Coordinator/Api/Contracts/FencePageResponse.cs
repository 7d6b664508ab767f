namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>Fence events oldest first; pass <see cref="Next"/> as <c>after</c> for more, null when there is none yet.</summary>
internal sealed record FencePageResponse(IReadOnlyList<FenceEvent> Items, long? Next);
