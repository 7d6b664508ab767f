namespace HaAgent.Coordinator.Logging;

/// <summary>Every log event id of the coordinator, in one place so ids stay stable and unique. 1100–1199: leadership; 1200–1299: REST API; 1300–1349: agent endpoint; 1400–1449: engine (the decision core's host).</summary>
internal static class EventIds
{
    public const int Leading = 1100;
    public const int LeadershipLost = 1101;
    public const int CampaignStarted = 1102;

    // 1110–1119: the etcd read cache (Store/Etcd/EtcdReadCache).
    public const int ReadCacheLoaded = 1110;
    public const int ReadCacheServing = 1111;
    public const int ReadCacheReloading = 1112;
    public const int ReadCacheFailed = 1113;
    public const int ReadCacheTooBig = 1114;

    public const int ApiMutationCommitted = 1200;
    public const int ApiWriteRefusedNotLeader = 1201;

    public const int AgentRequestRefused = 1300;
    public const int AgentOrderRefused = 1301;
    public const int AgentSecretFileIgnored = 1302;
    public const int AgentSecretDirectoryRescanned = 1303;
    public const int AgentRequestNotLeader = 1304;
    public const int AgentSecretRollover = 1305;
    public const int TlsCertificateLoaded = 1306;
    public const int TlsCertificateUnusable = 1307;

    public const int EngineLeading = 1400;
    public const int EngineStopped = 1401;
    public const int EngineLoaded = 1402;
    public const int EngineRebuilt = 1403;
    public const int EngineStoreUnavailable = 1404;
    public const int EngineResultIgnored = 1405;
    public const int EngineNoDefinition = 1406;
    public const int EngineStorageHeartbeatReadFailed = 1407;
    public const int EngineNoStorageHeartbeat = 1408;
    public const int EngineDocumentSkipped = 1409;
    public const int EngineNoOutbox = 1410;
    public const int EngineFailed = 1411;
    public const int EngineDefinitionIgnored = 1412;
    public const int EngineChangesApplied = 1413;
    public const int EngineFeedGap = 1414;
    public const int EngineVmHostsWritten = 1415;
}
