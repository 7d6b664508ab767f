using System.Globalization;

namespace HaAgent.Simulator.Scenario;

/// <summary>
/// Reads a <c>cmdlist</c> timeline. Each line: <c>[TIME] VERB ARGS</c>; a line without a time happens at the time of
/// the line before it. Hosts are named by id or by failure domain (<c>rack=r1</c>, <c>power=p1</c>, <c>zone=z1</c>).
/// </summary>
internal static class CmdlistParser
{
    public const string Usage =
        "crash HOSTS | restore HOSTS | partition HOSTS [network|storage] | cut-storage HOSTS | self-fence HOST | "
        + "fence-fails|fence-hangs|fence-unproven|start-fails HOST [once|always|never|N] | maintenance HOST | maintenance-end HOST | "
        + "observer-cut HOSTS | observer-restore [HOSTS] | rogue-start HOST VM | coordinator-epoch N | coordinator-failover N | "
        + "unprotect VM | protect VM | remove-host HOST | add-host HOST | end";

    public static List<SimCommand> Parse(string path, string displayName, SimCluster cluster) =>
        Parse(ScenarioLine.Read(path, displayName), cluster);

    public static List<SimCommand> Parse(IEnumerable<ScenarioLine> lines, SimCluster cluster)
    {
        var commands = new List<SimCommand>();
        var time = TimeSpan.Zero;
        foreach (var line in lines)
        {
            var words = line.Words;
            var i = 0;
            if (SimValues.TryDuration(words[0], out var at))
            {
                if (at < time)
                {
                    throw line.Error($"time {words[0]} is earlier than the line before ({SimValues.Seconds(time)}); expected times in order");
                }
                time = at;
                i = 1;
            }
            else if (char.IsDigit(words[0][0]))
            {
                throw line.Error($"expected a time like 10s, 1500ms or 2m, got '{words[0]}'");
            }
            if (i >= words.Length)
            {
                throw line.Error($"expected a command after the time: {Usage}");
            }
            var verb = words[i];
            var args = words[(i + 1)..];
            var text = string.Join(' ', words[i..]);
            commands.Add(verb switch
            {
                "crash" or "restore" or "cut-storage" or "observer-cut" =>
                    new SimCommand(time, verb, Hosts(line, args, cluster, required: true), null, 0, text),
                "observer-restore" => new SimCommand(time, verb, Hosts(line, args, cluster, required: false), null, 0, text),
                "partition" => Partition(line, time, args, cluster, text),
                "self-fence" or "maintenance" or "maintenance-end" =>
                    new SimCommand(time, verb, OneHost(line, args, cluster, verb), null, 0, text),
                "fence-fails" or "fence-hangs" or "fence-unproven" or "start-fails" =>
                    new SimCommand(time, verb, OneHost(line, args, cluster, verb, allowExtra: 1), null, Times(line, args), text),
                "rogue-start" => args.Length == 2 && cluster.Vms.Exists(v => v.Id == args[1])
                    ? new SimCommand(time, verb, OneHost(line, args[..1], cluster, verb), args[1], 0, text)
                    : throw line.Error("expected 'rogue-start HOST VM' with a VM declared in cluster"),
                "coordinator-epoch" => new SimCommand(time, verb, [], null, Epoch(line, args), text),
                "coordinator-failover" => Epoch(line, args) is var epoch and > 0
                    ? new SimCommand(time, verb, [], null, epoch, text)
                    : throw line.Error("expected 'coordinator-failover N' with N the new leader's epoch (> 0)"),
                "unprotect" or "protect" => args.Length == 1 && cluster.Vms.Exists(v => v.Id == args[0])
                    ? new SimCommand(time, verb, [], args[0], 0, text)
                    : throw line.Error($"expected '{verb} VM' with a VM declared in cluster"),
                "remove-host" or "add-host" => new SimCommand(time, verb, OneHost(line, args, cluster, verb), null, 0, text),
                "end" => args.Length == 0 ? new SimCommand(time, verb, [], null, 0, text) : throw line.Error("expected nothing after 'end'"),
                _ => throw line.Error($"unknown command '{verb}'; expected one of: {Usage}"),
            });
        }
        return commands;
    }

    private static SimCommand Partition(ScenarioLine line, TimeSpan time, string[] args, SimCluster cluster, string text)
    {
        var kind = args.Length > 1 && args[^1] is "network" or "storage" ? args[^1] : "network";
        var hostArgs = args.Length > 1 && args[^1] is "network" or "storage" ? args[..^1] : args;
        return new SimCommand(time, "partition", Hosts(line, hostArgs, cluster, required: true), kind, 0, text);
    }

    private static string[] OneHost(ScenarioLine line, string[] args, SimCluster cluster, string verb, int allowExtra = 0)
    {
        if (args.Length < 1 || args.Length > 1 + allowExtra)
        {
            throw line.Error(allowExtra > 0 ? $"expected '{verb} HOST [once|always|never|N]'" : $"expected '{verb} HOST'");
        }
        return Hosts(line, args[..1], cluster, required: true);
    }

    private static long Times(ScenarioLine line, string[] args) =>
        args.Length < 2 || args[1] == "once" ? 1
        : args[1] == "always" ? -1
        : args[1] == "never" ? 0
        : long.TryParse(args[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : throw line.Error($"expected once, always, never or a positive count, got '{args[1]}'");

    private static long Epoch(ScenarioLine line, string[] args) =>
        args.Length == 1 && long.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw line.Error("expected 'coordinator-epoch N' with N a non-negative number");

    private static string[] Hosts(ScenarioLine line, string[] args, SimCluster cluster, bool required)
    {
        if (required && args.Length == 0)
        {
            throw line.Error("expected at least one host (an id, or rack=R, power=P, zone=Z)");
        }
        var hosts = new List<string>();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (!cluster.Hosts.Exists(h => h.Id == arg))
                {
                    throw line.Error($"host '{arg}' is not declared in cluster");
                }
                hosts.Add(arg);
                continue;
            }
            var (level, label) = (arg[..eq], arg[(eq + 1)..]);
            var matched = cluster.Hosts.Where(h => level switch
            {
                "rack" => h.Domains.Rack == label,
                "power" => h.Domains.Power == label,
                "zone" => h.Domains.Zone == label,
                _ => throw line.Error($"expected rack=, power= or zone=, got '{arg}'"),
            }).Select(h => h.Id).ToList();
            if (matched.Count == 0)
            {
                throw line.Error($"no host is in {arg}");
            }
            hosts.AddRange(matched);
        }
        return [.. hosts.Distinct(StringComparer.Ordinal)];
    }
}
