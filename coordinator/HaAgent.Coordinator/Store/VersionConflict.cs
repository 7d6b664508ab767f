namespace HaAgent.Coordinator.Store;

/// <summary>A document whose version differed from the expected one; <see cref="CurrentVersion"/> 0 means absent.</summary>
internal sealed record VersionConflict(string Key, long CurrentVersion);
