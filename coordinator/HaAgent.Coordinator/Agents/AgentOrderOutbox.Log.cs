using HaAgent.Coordinator.Logging;
using HaAgent.Protocol.Messages;

namespace HaAgent.Coordinator.Agents;

internal sealed partial class AgentOrderOutbox
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.AgentOrderRefused, LogLevel.Warning, "order {OrderId} ({Stamp}) for host {HostId} not queued: {Reason} ({Suppressed} similar lines suppressed)")]
        public static partial void OrderRefused(ILogger logger, string orderId, OrderStamp stamp, string hostId, string reason, int suppressed);
    }
}
