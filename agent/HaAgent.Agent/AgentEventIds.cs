namespace HaAgent.Agent;

/// <summary>Stable log event ids, one registry for the whole agent.</summary>
internal static class AgentEventIds
{
    internal const int FenceStarted = 100;
    internal const int FenceProven = 101;
    internal const int FenceFailed = 102;
    internal const int UnfenceDone = 110;
    internal const int UnfenceFailed = 111;
    internal const int HeartbeatFailed = 200;
    internal const int HeartbeatRecovered = 201;
    internal const int VmChanged = 300;
    internal const int VmWatchFailed = 301;
    internal const int VmMonitorWaiting = 302;
    internal const int VmMonitorProbeFailed = 303;
    internal const int VmMonitorProbeTrace = 304;
    internal const int VmWatchSlow = 305;
    internal const int SelfFenceStarted = 400;
    internal const int SelfFenceDone = 401;
    internal const int WatchdogFailed = 402;
    internal const int SelfFenceContactBack = 403;
    internal const int SystemdWatchdogPing = 404;
    internal const int RestartedAfterFailedSelfFence = 405;
    internal const int SelfFenceOverdue = 406;
    internal const int UnitStateChanged = 500;
    internal const int UnitWatchUnavailable = 501;
    internal const int MachinedUnavailable = 510;
    internal const int CoordinatorUnreachable = 600;
    internal const int CoordinatorReached = 601;
    internal const int OrderFrameRefused = 602;
    internal const int HelloDelivered = 603;
    internal const int DefinitionUnreadable = 604;
    internal const int ResultUndelivered = 605;
    internal const int LibvirtdDown = 606;
    internal const int SelfFenceReported = 607;
    internal const int MessageUnsendable = 608;
    internal const int LinkLoopFailed = 609;
    internal const int OrderReceived = 610;
    internal const int OrderFinished = 611;
    internal const int OrderRefused = 612;
    internal const int OrderGateCorrupt = 613;
    internal const int OrderFailedInternally = 614;
    internal const int SecretFileProblem = 620;
    internal const int SecretRollover = 621;
    internal const int NextSecretRefused = 622;
    internal const int MemoryReport = 900;
    internal const int MemoryAfterStartup = 901;
}
