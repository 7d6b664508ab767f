namespace HaAgent.Coordinator.Store;

internal enum WriteOutcome
{
    Written = 1,
    Deleted = 2,

    /// <summary>Delete of a key that does not exist; nothing changed.</summary>
    NotFound = 3,

    /// <summary>The document's version was not the expected one; nothing changed.</summary>
    VersionConflict = 4,
}
