using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Agents;

internal sealed partial class AgentEndpoint
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.AgentRequestRefused, LogLevel.Warning, "agent request to {Endpoint} from {Remote} refused with {Status}: {Reason} ({Suppressed} similar lines suppressed)")]
        public static partial void RequestRefused(ILogger logger, string endpoint, int status, string remote, string reason, int suppressed);

        [LoggerMessage(EventIds.AgentRequestNotLeader, LogLevel.Debug, "agent request to {Endpoint} answered 503: this instance does not lead ({Suppressed} similar lines suppressed)")]
        public static partial void NotLeader(ILogger logger, string endpoint, int suppressed);
    }
}
