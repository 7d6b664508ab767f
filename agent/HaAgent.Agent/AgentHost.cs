using HaAgent.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HaAgent.Agent;

/// <summary>Builds the agent's host: only agent.json, HAAGENT_ variables and the command line configure it (no appsettings lookup in the working directory).</summary>
internal static class AgentHost
{
    internal const string DefaultConfigPath = "/etc/haagent/agent.json";
    internal const string ConfigEnvironmentVariable = "HAAGENT_CONFIG";
    internal const string EnvironmentPrefix = "HAAGENT_";

    /// <summary>The config path: <c>--config PATH</c> (or <c>--config=PATH</c>), else HAAGENT_CONFIG, else /etc/haagent/agent.json.</summary>
    internal static string ResolveConfigPath(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Count)
            {
                return args[i + 1];
            }
            if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                return args[i]["--config=".Length..];
            }
        }
        var fromEnvironment = Environment.GetEnvironmentVariable(ConfigEnvironmentVariable);
        return string.IsNullOrEmpty(fromEnvironment) ? DefaultConfigPath : fromEnvironment;
    }

    /// <exception cref="FileNotFoundException">The config file does not exist.</exception>
    internal static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var configPath = Path.GetFullPath(ResolveConfigPath(args));
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException(
                $"config file {configPath} does not exist (give --config PATH or set {ConfigEnvironmentVariable})", configPath);
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
        builder.Configuration
            .AddJsonFile(configPath, optional: false, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args);
        builder.Logging.AddSimpleConsoleIfMissing();
        builder.Services.AddSystemd();

        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsRules>();
        builder.Services.AddSingleton(TimeProvider.System);
        AgentServices.Add(builder.Services);
        return builder;
    }
}
