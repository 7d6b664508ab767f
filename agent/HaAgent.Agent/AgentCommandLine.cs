using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using HaAgent.Agent.Configuration;

namespace HaAgent.Agent;

/// <summary>
/// The agent's command line, parsed by hand: <c>--help</c>, <c>--version</c>, <c>--config PATH</c> and configuration
/// overrides <c>--key[:sub...]=VALUE</c> / <c>--key[:sub...] VALUE</c> whose first segment is an agent.json key (the
/// host binds them with the configuration command-line provider). Anything else is an error (exit 2). Not
/// System.CommandLine: it would reject the free-form configuration overrides as unmatched tokens (or take them
/// unchecked), so they would be parsed twice, and it adds code to a NativeAOT binary that starts once per boot.
/// </summary>
internal static class AgentCommandLine
{
    /// <summary>EX_USAGE-like "bad command line" (as most CLIs, e.g. getopt users, exit with 2).</summary>
    internal const int UsageError = 2;

    internal enum Action
    {
        Run,
        Help,
        Version,
        Error,
    }

    internal readonly record struct Parsed(Action Action, string? Problem = null);

    internal static Parsed Parse(IReadOnlyList<string> args)
    {
        var keys = TopLevelKeys();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    return new(Action.Help);
                case "--version":
                    return new(Action.Version);
                case "--config":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || args[i + 1].Length == 0)
                    {
                        return new(Action.Error, "--config needs a file path");
                    }
                    i++;
                    continue;
            }
            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                if (arg.Length == "--config=".Length)
                {
                    return new(Action.Error, "--config needs a file path");
                }
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                return new(Action.Error, $"unexpected argument '{arg}'");
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? arg[2..] : arg[2..equals];
            var first = key.Split(':', 2)[0];
            if (!keys.Contains(first))
            {
                return new(Action.Error, $"unknown option '{(equals < 0 ? arg : arg[..equals])}'");
            }
            if (equals < 0)
            {
                // "--key value": the configuration provider takes the next argument as the value.
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return new(Action.Error, $"option '{arg}' needs a value (--{key}=VALUE)");
                }
                i++;
            }
        }
        return new(Action.Run);
    }

    /// <summary>What <c>--version</c> prints: the assembly's informational version (version + source revision when built from git).</summary>
    internal static string Version =>
        typeof(AgentCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AgentCommandLine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    internal static string Help => $"""
        haagent-agent {Version}
        HaAgent host agent: fences, storage heartbeat, VM watch and restarts for the HaAgent coordinator.

        Usage: haagent-agent [--config PATH] [--KEY=VALUE ...]
               haagent-agent --help | --version

        Options:
          --config PATH   agent configuration (JSON). Default: ${AgentHost.ConfigEnvironmentVariable} if set, else {AgentHost.DefaultConfigPath}.
                          Also --config=PATH.
          --KEY=VALUE     override one configuration key, spelled as in agent.json with ':' between levels,
                          e.g. --intervals:heartbeat=00:00:02 (also --KEY VALUE). Environment variables
                          {AgentHost.EnvironmentPrefix}KEY__SUB override the file too; the command line wins.
          -h, --help      print this help and exit
          --version       print the version and exit

        Exit status: 0 stopped cleanly, {UsageError} bad command line, {AgentProgram.ConfigurationError} invalid configuration (EX_CONFIG).
        """;

    /// <summary>agent.json's top-level keys (case-insensitive, as configuration binding is).</summary>
    private static HashSet<string> TopLevelKeys() =>
        new(PublicProperties(typeof(AgentOptions)).Select(p => p.Name), StringComparer.OrdinalIgnoreCase);

    private static PropertyInfo[] PublicProperties([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
}
