using Microsoft.Extensions.Logging;

namespace HaAgent.Agent;

internal static class LoggingBuilderExtensions
{
    /// <summary>One line per message on stderr, which journald captures under systemd.</summary>
    internal static ILoggingBuilder AddSimpleConsoleIfMissing(this ILoggingBuilder logging) =>
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            options.UseUtcTimestamp = true;
        });
}
