using System.Globalization;
using HaAgent.Core.Model;

namespace HaAgent.Simulator.Scenario;

/// <summary>
/// Reads a <c>cluster</c> file. One declaration per line:
/// <code>
/// host h1 cpus=16 mem=64G rack=r1 power=p1 zone=z1 ip=127.99.0.1 key=k1
/// vm web1 host=h1 cpus=2 mem=4G prio=10 vol=ceph:rbd/web1 vol=iscsi:iqn.2026-01.lab:db/0
/// rule anti-affinity web-apart hard level=rack vms=web1,web2
/// rule affinity|pin|spread NAME hard|soft [level=..] [vms=..] [hosts=..]
/// option fence-timeout=10s end=120s
/// </code>
/// </summary>
internal static class ClusterFileParser
{
    private static readonly string[] HostKeys = ["cpus", "mem", "rack", "power", "zone", "ip", "key"];
    private static readonly string[] VmKeys = ["host", "cpus", "mem", "prio", "group", "vol"];
    private static readonly string[] RuleKeys = ["level", "vms", "hosts"];

    public static SimCluster Parse(string path, string displayName) => Parse(ScenarioLine.Read(path, displayName), displayName);

    public static SimCluster Parse(IEnumerable<ScenarioLine> lines, string displayName)
    {
        var cluster = new SimCluster();
        var hostIds = new HashSet<string>(StringComparer.Ordinal);
        var vmIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            switch (line.Words[0])
            {
                case "host":
                    ParseHost(line, cluster, hostIds);
                    break;
                case "vm":
                    ParseVm(line, cluster, hostIds, vmIds);
                    break;
                case "rule":
                    ParseRule(line, cluster, vmIds, hostIds);
                    break;
                case "option":
                    foreach (var (key, value) in Pairs(line, 1, null))
                    {
                        SimOptionSetter.Set(line, cluster, key, value);
                    }
                    break;
                default:
                    throw line.Error($"expected 'host', 'vm', 'rule' or 'option', got '{line.Words[0]}'");
            }
        }
        if (cluster.Hosts.Count == 0)
        {
            throw new ScenarioFormatException(displayName, 0, "expected at least one 'host' line");
        }
        return cluster;
    }

    private static void ParseHost(ScenarioLine line, SimCluster cluster, HashSet<string> hostIds)
    {
        var id = Name(line, "host ID");
        if (!hostIds.Add(id))
        {
            throw line.Error($"host '{id}' is declared twice");
        }
        var values = Pairs(line, 2, HostKeys).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var cpus = Int(line, values, "cpus", 16);
        var mem = Size(line, values, "mem", 64 * 1024);
        var domains = new FailureDomains(values.GetValueOrDefault("rack", "-"), values.GetValueOrDefault("power", "-"), values.GetValueOrDefault("zone", "-"));
        cluster.Hosts.Add(new HostSpec(id, cpus, mem, domains));
        cluster.Identities.Add(new HostFenceIdentity(id,
            values.GetValueOrDefault("ip", $"127.99.0.{cluster.Hosts.Count}"),
            values.GetValueOrDefault("key", "key-" + id)));
    }

    private static void ParseVm(ScenarioLine line, SimCluster cluster, HashSet<string> hostIds, HashSet<string> vmIds)
    {
        var id = Name(line, "vm ID");
        if (!vmIds.Add(id))
        {
            throw line.Error($"vm '{id}' is declared twice");
        }
        var pairs = Pairs(line, 2, VmKeys).ToList();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var volumes = new List<VolumeRef>();
        foreach (var (key, value) in pairs)
        {
            if (key == "vol")
            {
                try
                {
                    volumes.Add(VolumeRef.Parse(value));
                }
                catch (FormatException e)
                {
                    throw line.Error(e.Message);
                }
            }
            else
            {
                values[key] = value;
            }
        }
        if (values.TryGetValue("host", out var host))
        {
            if (!hostIds.Contains(host))
            {
                throw line.Error($"vm '{id}': host '{host}' is not declared above");
            }
            cluster.Placement[id] = host;
        }
        cluster.Vms.Add(new VmSpec(id, Int(line, values, "cpus", 1), Size(line, values, "mem", 1024), volumes,
            Int(line, values, "prio", 0), values.GetValueOrDefault("group")));
    }

    private static void ParseRule(ScenarioLine line, SimCluster cluster, HashSet<string> vmIds, HashSet<string> hostIds)
    {
        if (line.Words.Length < 4)
        {
            throw line.Error("expected 'rule KIND NAME hard|soft key=value...'");
        }
        var kind = line.Words[1];
        var name = line.Words[2];
        var strength = line.Words[3] switch
        {
            "hard" => RuleStrength.Hard,
            "soft" => RuleStrength.Soft,
            var other => throw line.Error($"expected 'hard' or 'soft', got '{other}'"),
        };
        var values = Pairs(line, 4, RuleKeys).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var vms = List(line, values, "vms", vmIds, "vm");
        cluster.Rules.Add(kind switch
        {
            "affinity" => new AffinityRule(name, strength, vms),
            "anti-affinity" => new AntiAffinityRule(name, strength, vms, Level(line, values)),
            "spread" => new SpreadRule(name, strength, vms, Level(line, values)),
            "pin" => new HostPinningRule(name, strength, vms, List(line, values, "hosts", hostIds, "host")),
            _ => throw line.Error($"expected rule kind affinity, anti-affinity, spread or pin, got '{kind}'"),
        });
    }

    private static FailureDomainLevel Level(ScenarioLine line, Dictionary<string, string> values) =>
        values.GetValueOrDefault("level", "host") switch
        {
            "host" => FailureDomainLevel.Host,
            "rack" => FailureDomainLevel.Rack,
            "power" => FailureDomainLevel.Power,
            "zone" => FailureDomainLevel.Zone,
            var other => throw line.Error($"expected level=host|rack|power|zone, got '{other}'"),
        };

    private static string[] List(ScenarioLine line, Dictionary<string, string> values, string key, HashSet<string> known, string what)
    {
        if (!values.TryGetValue(key, out var text))
        {
            throw line.Error($"expected {key}=A,B,...");
        }
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var item in items)
        {
            if (!known.Contains(item))
            {
                throw line.Error($"{what} '{item}' is not declared above");
            }
        }
        return items;
    }

    private static string Name(ScenarioLine line, string expected) =>
        line.Words.Length >= 2 && !line.Words[1].Contains('=', StringComparison.Ordinal)
            ? line.Words[1]
            : throw line.Error($"expected '{expected}' after '{line.Words[0]}'");

    internal static IEnumerable<KeyValuePair<string, string>> Pairs(ScenarioLine line, int start, string[]? allowed)
    {
        for (var i = start; i < line.Words.Length; i++)
        {
            var word = line.Words[i];
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == word.Length - 1)
            {
                throw line.Error($"expected key=value, got '{word}'");
            }
            var key = word[..eq];
            if (allowed is not null && !allowed.Contains(key))
            {
                throw line.Error($"unknown key '{key}'; expected one of {string.Join(", ", allowed)}");
            }
            yield return new(key, word[(eq + 1)..]);
        }
    }

    private static int Int(ScenarioLine line, Dictionary<string, string> values, string key, int fallback) =>
        !values.TryGetValue(key, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw line.Error($"{key}: expected a non-negative number, got '{text}'");

    private static long Size(ScenarioLine line, Dictionary<string, string> values, string key, long fallback) =>
        !values.TryGetValue(key, out var text) ? fallback
        : SimValues.TrySizeMiB(text, out var value) ? value
        : throw line.Error($"{key}: expected a size like 512M or 4G, got '{text}'");
}
