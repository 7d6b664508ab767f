namespace HaAgent.Coordinator.Logging;

/// <summary>Every log event id of the coordinator, in one place so ids stay stable and unique. 1100–1199: leadership.</summary>
internal static class EventIds
{
    public const int Leading = 1100;
    public const int LeadershipLost = 1101;
    public const int CampaignStarted = 1102;
}
