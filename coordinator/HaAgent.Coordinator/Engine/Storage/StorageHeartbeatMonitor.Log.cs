using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Engine.Storage;

internal sealed partial class StorageHeartbeatMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EngineStorageHeartbeatReadFailed, Level = LogLevel.Warning,
            Message = "Storage heartbeats could not be read from {Source} (logged at most every 30 s)")]
        public static partial void ReadFailed(ILogger logger, string source, Exception exception);

        [LoggerMessage(EventId = EventIds.EngineNoStorageHeartbeat, Level = LogLevel.Warning,
            Message = "No storage heartbeat configured (Engine:StorageHeartbeat): silent hosts are judged dead, never isolated, and storage-only outages go unnoticed")]
        public static partial void NoStorageHeartbeat(ILogger logger);
    }
}
