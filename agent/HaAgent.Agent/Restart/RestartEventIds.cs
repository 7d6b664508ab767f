namespace HaAgent.Agent.Restart;

/// <summary>Log event ids of VM start/stop orders (the 500 range; to be folded into <see cref="AgentEventIds"/> on merge).</summary>
internal static class RestartEventIds
{
    internal const int StartSucceeded = 500;
    internal const int StartFailed = 501;
    internal const int StartRepeated = 502;
    internal const int StopSucceeded = 510;
    internal const int StopFailed = 511;
    internal const int StopRepeated = 512;
}
