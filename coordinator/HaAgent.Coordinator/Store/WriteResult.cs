namespace HaAgent.Coordinator.Store;

/// <summary>
/// <see cref="Version"/> is the document's new version after <see cref="WriteOutcome.Written"/>, the store revision
/// of the delete after <see cref="WriteOutcome.Deleted"/>, and the document's current version (0: absent) after
/// <see cref="WriteOutcome.VersionConflict"/>.
/// </summary>
internal readonly record struct WriteResult(WriteOutcome Outcome, long Version)
{
    public bool Succeeded => Outcome is WriteOutcome.Written or WriteOutcome.Deleted;
}
