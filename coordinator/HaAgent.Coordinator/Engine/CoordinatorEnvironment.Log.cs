using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Engine;

internal sealed partial class CoordinatorEnvironment
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.EngineResultIgnored, LogLevel.Warning, "ignored order result {OrderId} from {HostId} with stamp {Stamp}: {Why}")]
        public static partial void ResultIgnored(ILogger logger, string orderId, string hostId, string stamp, string why);
    }
}
