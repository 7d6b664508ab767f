using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Store.Etcd;

internal sealed partial class EtcdReadCache
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.ReadCacheLoaded, LogLevel.Information, "read cache loaded {Documents} documents ({MiB:F1} MiB) at revision {Revision} in {Milliseconds:F0} ms")]
        public static partial void Loaded(ILogger logger, int documents, double miB, long revision, double milliseconds);

        [LoggerMessage(EventIds.ReadCacheServing, LogLevel.Information, "read cache serving {Documents} documents from revision {Revision}")]
        public static partial void Serving(ILogger logger, int documents, long revision);

        [LoggerMessage(EventIds.ReadCacheReloading, LogLevel.Warning, "read cache dropped, reads go to etcd until it is reloaded: {Reason}")]
        public static partial void Reloading(ILogger logger, string reason);

        [LoggerMessage(EventIds.ReadCacheFailed, LogLevel.Warning, "read cache load or watch failed, reads go to etcd: {Error} {Message}")]
        public static partial void Failed(ILogger logger, string error, string message);

        [LoggerMessage(EventIds.ReadCacheTooBig, LogLevel.Warning, "read cache off: the documents exceed Store:Etcd:ReadCache:MaxBytes ({MaxBytes}); reads go to etcd")]
        public static partial void TooBig(ILogger logger, long maxBytes);
    }
}
