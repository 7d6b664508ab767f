namespace HaAgent.Coordinator.Api.Contracts;

/// <summary>One page of a listing; pass <see cref="Next"/> as <c>after</c> to get the next page, null on the last.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
