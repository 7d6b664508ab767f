using HaAgent.Agent.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HaAgent.Agent;

/// <summary>Entry point logic, callable from tests: returns the process exit code.</summary>
internal static class AgentProgram
{
    /// <summary>EX_CONFIG (sysexits.h): systemd shows it, and Restart=on-failure with RestartPreventExitStatus=78 stops a restart loop.</summary>
    internal const int ConfigurationError = 78;

    internal static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken = default, TextWriter? output = null)
    {
        var command = AgentCommandLine.Parse(args);
        switch (command.Action)
        {
            case AgentCommandLine.Action.Help:
                await (output ?? Console.Out).WriteLineAsync(AgentCommandLine.Help).ConfigureAwait(false);
                return 0;
            case AgentCommandLine.Action.Version:
                await (output ?? Console.Out).WriteLineAsync(AgentCommandLine.Version).ConfigureAwait(false);
                return 0;
            case AgentCommandLine.Action.Error:
                await error.WriteLineAsync($"haagent-agent: {command.Problem} (see haagent-agent --help)").ConfigureAwait(false);
                return AgentCommandLine.UsageError;
        }

        IHost host;
        try
        {
            host = AgentHost.CreateBuilder(args).Build();
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException or InvalidOperationException)
        {
            await error.WriteLineAsync($"haagent-agent: invalid configuration: {e.Message}").ConfigureAwait(false);
            return ConfigurationError;
        }

        using (host)
        {
            try
            {
                // Validate before the host starts, so a bad config is one clear line rather than a logged stack trace.
                _ = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync($"haagent-agent: invalid configuration: {string.Join("; ", e.Failures)}").ConfigureAwait(false);
                return ConfigurationError;
            }
            catch (InvalidOperationException e) when (e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
            {
                // The binder names the key it could not convert ("Failed to convert configuration value at 'Intervals:Heartbeat'...").
                await error.WriteLineAsync($"haagent-agent: invalid configuration: {e.Message}").ConfigureAwait(false);
                return ConfigurationError;
            }
        }
    }
}
