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
    }
}
