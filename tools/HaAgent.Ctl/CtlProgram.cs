using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using HaAgent.Ctl.Checks;
using HaAgent.Ctl.Nagios;

namespace HaAgent.Ctl;

/// <summary>
/// Entry point logic, callable from tests. Checks print one Nagios status line and exit 0/1/2/3; any usage error
/// (unknown option, bad range, unreadable token file) is exit 3 (UNKNOWN) with the reason on stderr, as plugins must.
/// </summary>
internal static class CtlProgram
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A check that needs longer than this is itself broken; the bound keeps a monitoring host's workers free.</summary>
    private const double MaxTimeoutSeconds = 300;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
#pragma warning disable CA1031 // Whatever the parser throws is a usage problem: exit 3 with one line, never a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"haagentctl: {e.Message}").ConfigureAwait(false);
            await output.WriteLineAsync($"HAAGENT UNKNOWN: bad arguments: {e.Message}").ConfigureAwait(false);
            return (int)NagiosStatus.Unknown;
        }
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"haagentctl: {parseError.Message}").ConfigureAwait(false);
            }
            await error.WriteLineAsync("Try 'haagentctl --help' or 'haagentctl check <cluster|agent> --help'.").ConfigureAwait(false);
            await output.WriteLineAsync($"HAAGENT UNKNOWN: bad arguments: {parse.Errors[0].Message}").ConfigureAwait(false);
            return (int)NagiosStatus.Unknown;
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"haagentctl: {e.Message}").ConfigureAwait(false);
            await output.WriteLineAsync($"HAAGENT UNKNOWN: {e.Message}").ConfigureAwait(false);
            return (int)NagiosStatus.Unknown;
        }
#pragma warning disable CA1031 // A plugin that crashes must still say UNKNOWN on one line, never print a stack trace to Nagios.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await output.WriteLineAsync($"HAAGENT UNKNOWN: internal error: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return (int)NagiosStatus.Unknown;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var check = new Command("check", "Nagios-style checks: one status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
        check.Add(BuildClusterCheck(output));
        check.Add(BuildAgentCheck(output));
        _ = error;
        return new RootCommand("haagentctl — operate and monitor HaAgent (fence-first HA for KVM/QEMU).") { check };
    }

    private static Command BuildClusterCheck(TextWriter output)
    {
        var url = new Option<string>("--url", "-u") { Description = "Coordinator base URL, e.g. http://127.0.0.1:7480", Required = true };
        url.Validators.Add(static r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError($"--url '{text}' is not an absolute http(s) URL");
            }
        });
        var tokenFile = new Option<string?>("--token-file", "-T") { Description = "File holding a viewer (or higher) API token; omit when the coordinator has Api:OpenReads" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM CA bundle an https:// coordinator's certificate must chain to (instead of the system store); the agent's Coordinator:CaFile" };
        var pins = new Option<string[]>("--pin-sha256") { Description = "SHA-256 fingerprint of a coordinator certificate trusted as it is (repeatable); the agent's Coordinator:PinnedCertificates", AllowMultipleArgumentsPerToken = false };
        var timeout = TimeoutOption();
        var maintenanceWarning = RangeOption("--maintenance-warning", "Hosts in maintenance: WARNING range (default 0 = warn when any host is in maintenance)", "0");
        var maintenanceCritical = RangeOption("--maintenance-critical", "Hosts in maintenance: CRITICAL range", null);
        var unprotectedWarning = RangeOption("--unprotected-warning", "VMs not HA-protected: WARNING range", null);
        var unprotectedCritical = RangeOption("--unprotected-critical", "VMs not HA-protected: CRITICAL range", null);
        var hostsWarning = RangeOption("--hosts-warning", "Registered hosts: WARNING range (e.g. 3: warns below 3)", null);
        var hostsCritical = RangeOption("--hosts-critical", "Registered hosts: CRITICAL range (default 1: = CRITICAL with no host)", "1:");
        var failedWarning = RangeOption("--failed-warning", "Hosts dead/isolated/fencing/fenced (when exported): WARNING range", null);
        var failedCritical = RangeOption("--failed-critical", "Hosts dead/isolated/fencing/fenced (when exported): CRITICAL range (default 0)", "0");

        var command = new Command("cluster", "Check the HA control plane through one coordinator's REST API (/readyz, /v1/hosts, /v1/vms, /metrics).")
        {
            url, tokenFile, caFile, pins, timeout, maintenanceWarning, maintenanceCritical, unprotectedWarning, unprotectedCritical,
            hostsWarning, hostsCritical, failedWarning, failedCritical,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ClusterCheckOptions(
                new Uri(parse.GetRequiredValue(url), UriKind.Absolute),
                ReadToken(parse.GetValue(tokenFile)),
                Seconds(parse.GetValue(timeout)),
                Range(parse, maintenanceWarning), Range(parse, maintenanceCritical),
                Range(parse, unprotectedWarning), Range(parse, unprotectedCritical),
                Range(parse, hostsWarning), Range(parse, hostsCritical),
                Range(parse, failedWarning), Range(parse, failedCritical),
                CoordinatorTrust.Create(parse.GetValue(caFile), parse.GetValue(pins) ?? []));
            var report = await ClusterCheck.RunAsync(options, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(report.Render()).ConfigureAwait(false);
            return (int)report.Status;
        });
        return command;
    }

    private static Command BuildAgentCheck(TextWriter output)
    {
        var config = new Option<string>("--config", "-c") { Description = "The agent's config file", DefaultValueFactory = static _ => AgentCheck.DefaultConfigFile };
        var stateFile = new Option<string?>("--state-file") { Description = "The agent's state file (default: StateFile from the config, else " + AgentCheck.DefaultStateFile + ")" };
        var unit = new Option<string>("--unit") { Description = "systemd unit to check with systemctl is-active (skipped where systemd is not running)", DefaultValueFactory = static _ => AgentCheck.DefaultUnit };
        var noUnit = new Option<bool>("--no-unit") { Description = "Do not check the systemd unit" };
        var noCoordinator = new Option<bool>("--no-coordinator") { Description = "Do not probe the config's CoordinatorEndpoints (/healthz)" };
        var timeout = TimeoutOption();
        var command = new Command("agent", "Check this hypervisor's agent: self-fence state, systemd unit, coordinator reachability.")
        {
            config, stateFile, unit, noUnit, noCoordinator, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new AgentCheckOptions(
                parse.GetRequiredValue(config),
                parse.GetValue(stateFile),
                parse.GetValue(noUnit) ? null : parse.GetValue(unit),
                !parse.GetValue(noCoordinator),
                Seconds(parse.GetValue(timeout)));
            var report = await AgentCheck.RunAsync(options, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(report.Render()).ConfigureAwait(false);
            return (int)report.Status;
        });
        return command;
    }

    /// <summary>A string parsed here, not Option&lt;double&gt;: a conversion failure must be a usage error (exit 3), not a throw.</summary>
    private static Option<string> TimeoutOption()
    {
        var timeout = new Option<string>("--timeout", "-t")
        {
            Description = "Seconds before the check gives up (default 10)",
            DefaultValueFactory = static _ => DefaultTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        };
        timeout.Validators.Add(static r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (text is not null && TryParseSeconds(text) is null)
            {
                r.AddError($"--timeout '{text}' must be a number of seconds above 0 and at most {MaxTimeoutSeconds.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        return timeout;
    }

    private static double? TryParseSeconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= MaxTimeoutSeconds ? value : null;

    private static Option<string?> RangeOption(string name, string description, string? defaultValue)
    {
        var option = new Option<string?>(name) { Description = description + " (Nagios range: N, N:, ~:N, N:M, @N:M; 'none' disables)" };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }
        option.Validators.Add(r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            if (text is not null && !IsNone(text) && !NagiosRange.TryParse(text, out _, out var rangeError))
            {
                r.AddError($"{name}: {rangeError}");
            }
        });
        return option;
    }

    private static NagiosRange? Range(ParseResult parse, Option<string?> option)
    {
        var text = parse.GetValue(option);
        return text is null || IsNone(text) ? null : NagiosRange.TryParse(text, out var range, out _) ? range : null;
    }

    private static bool IsNone(string text) => string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase);

    private static TimeSpan Seconds(string? text) => TimeSpan.FromSeconds(text is null ? DefaultTimeout.TotalSeconds : TryParseSeconds(text) ?? DefaultTimeout.TotalSeconds);

    /// <summary>The token is read from a file so it never appears in a process listing or a Nagios command line.</summary>
    private static string? ReadToken(string? path)
    {
        if (path is null)
        {
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--token-file {path}: {e.Message}");
        }
        var token = text.Trim();
        if (token.Length == 0 || token.Contains('\n', StringComparison.Ordinal))
        {
            throw new UsageException($"--token-file {path} must hold exactly one token on one line");
        }
        return token;
    }
}
