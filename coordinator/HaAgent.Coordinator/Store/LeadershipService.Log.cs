using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Store;

internal sealed partial class LeadershipService
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.Leading, LogLevel.Information, "leading as {InstanceId} with epoch {Epoch}")]
        public static partial void Leading(ILogger logger, string instanceId, long epoch);

        [LoggerMessage(EventIds.LeadershipLost, LogLevel.Warning, "lost leadership as {InstanceId} with epoch {Epoch}: {Reason}")]
        public static partial void LeadershipLost(ILogger logger, string instanceId, long epoch, LeadershipLossReason reason);

        [LoggerMessage(EventIds.CampaignStarted, LogLevel.Information, "campaigning for leadership as {InstanceId}")]
        public static partial void CampaignStarted(ILogger logger, string instanceId);
    }
}
