using HaAgent.Coordinator.Logging;

namespace HaAgent.Coordinator.Agents;

internal sealed partial class AgentSecretStore
{
    private static partial class Log
    {
        [LoggerMessage(EventIds.AgentSecretFileIgnored, LogLevel.Warning, "agent secret file {Path} ignored: {Problem}")]
        public static partial void SecretFileIgnored(ILogger logger, string path, string problem);

        [LoggerMessage(EventIds.AgentSecretDirectoryRescanned, LogLevel.Information, "agent secret directory {Directory} re-read after an unknown host: {Hosts} hosts ({Added} more than before)")]
        public static partial void DirectoryRescanned(ILogger logger, string directory, int hosts, int added);

        [LoggerMessage(EventIds.AgentSecretRollover, LogLevel.Information, "agent secret rollover: started for {Started} host(s), finished for {Ended}; {Rolling} of {Hosts} hosts now accept their current and next secret")]
        public static partial void Rollover(ILogger logger, int started, int ended, int rolling, int hosts);
    }
}
