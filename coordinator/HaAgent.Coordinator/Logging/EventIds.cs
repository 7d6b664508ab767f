namespace HaAgent.Coordinator.Logging;

/// <summary>Every log event id of the coordinator, in one place so ids stay stable and unique. 1100–1199: leadership; 1200–1299: REST API; 1300–1349: agent endpoint.</summary>
internal static class EventIds
{
    public const int Leading = 1100;
    public const int LeadershipLost = 1101;
    public const int CampaignStarted = 1102;

    public const int ApiMutationCommitted = 1200;
    public const int ApiWriteRefusedNotLeader = 1201;

    public const int AgentRequestRefused = 1300;
    public const int AgentOrderRefused = 1301;
    public const int AgentSecretFileIgnored = 1302;
    public const int AgentSecretDirectoryRescanned = 1303;
    public const int AgentRequestNotLeader = 1304;
}
