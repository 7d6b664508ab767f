using HaAgent.Protocol.Envelope;
using Microsoft.Extensions.Logging;

namespace HaAgent.Agent.Link;

/// <summary>Log lines of the agent's <see cref="ReloadingHostSecret"/> (never the secret itself).</summary>
internal static partial class SecretLog
{
    [LoggerMessage(EventId = AgentEventIds.SecretFileProblem, Level = LogLevel.Error,
        Message = "Coordinator:SecretFile changed but cannot be used, the previous secret stays in use: {Problem}")]
    public static partial void Problem(ILogger logger, string problem);

    [LoggerMessage(EventId = AgentEventIds.SecretRollover, Level = LogLevel.Information,
        Message = "Coordinator secret changed; rollover in progress (signing with the .next secret, accepting both): {Rollover}")]
    public static partial void Rollover(ILogger logger, bool rollover);
}
