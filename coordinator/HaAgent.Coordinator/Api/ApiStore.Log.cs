using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Api;

internal sealed partial class ApiStore
{
    /// <summary>Actors are token names; the secrets themselves are never in scope here.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventIds.ApiMutationCommitted, LogLevel.Information, "{Action} {Key} by {Actor} ({Role}): version {Version}, audit #{AuditSequence}")]
        public static partial void MutationCommitted(ILogger logger, string action, string key, string actor, string role, long version, long auditSequence);

        [LoggerMessage(EventIds.ApiWriteRefusedNotLeader, LogLevel.Warning, "{Action} {Key} refused: leadership with epoch {Epoch} is no longer current")]
        public static partial void WriteRefusedNotLeader(ILogger logger, string action, string key, long epoch);
    }
}
