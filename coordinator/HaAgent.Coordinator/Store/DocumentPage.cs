namespace HaAgent.Coordinator.Store;

/// <summary>One page of a listing; pass <see cref="NextStartAfter"/> back to get the next, null when this is the last.</summary>
internal sealed record DocumentPage(IReadOnlyList<StoredDocument> Documents, string? NextStartAfter);
