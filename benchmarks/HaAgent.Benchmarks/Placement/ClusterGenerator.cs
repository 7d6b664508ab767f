using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Benchmarks.Placement;

/// <summary>
/// Builds a large, realistic cluster deterministically (fixed seed): uniform hosts filled to about half, VMs of
/// mixed sizes and priorities, anti-affinity groups whose members already run apart, affinity pairs that share a
/// host, pinned VMs, and spread rules. The result is a "cluster now" request (nothing to place): feed it to
/// <see cref="FailureDryRun"/> or build a rack-failure request with <see cref="RackFailure"/>.
/// </summary>
public static class ClusterGenerator
{
    public const int HostCpus = 128;
    public const long HostMemoryMiB = 512 * 1024;

    private static readonly long[] VmMemoryMiB = [2048, 4096, 8192, 16384, 32768];

    public static string HostId(int host) => $"host{host:D5}";

    public static string RackLabel(int rack) => $"rack{rack:D3}";

    public static PlacementRequest Generate(ClusterShape shape, int seed = 20261125)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var random = new Random(seed);
        var hostsPerRack = (shape.Hosts + shape.Racks - 1) / shape.Racks;

        var hostSpecs = new HostSpec[shape.Hosts];
        var rackOf = new int[shape.Hosts];
        for (var h = 0; h < shape.Hosts; h++)
        {
            var rack = h / hostsPerRack;
            rackOf[h] = rack;
            hostSpecs[h] = new HostSpec(
                HostId(h),
                HostCpus,
                HostMemoryMiB,
                new FailureDomains(RackLabel(rack), $"power{rack % shape.PowerFeeds}", $"zone{rack % shape.Zones}"));
        }

        // VM j runs on host j % hosts: every host gets the same number of VMs, of random sizes.
        var vms = new VmSpec[shape.Vms];
        var hostOf = new int[shape.Vms];
        var usedCpus = new int[shape.Hosts];
        var usedMemory = new long[shape.Hosts];
        var running = new Dictionary<string, string>(shape.Vms, StringComparer.Ordinal);
        var specs = new Dictionary<string, VmSpec>(shape.Vms, StringComparer.Ordinal);
        for (var v = 0; v < shape.Vms; v++)
        {
            var h = v % shape.Hosts;
            var vm = new VmSpec($"vm{v:D6}", random.Next(1, 9), VmMemoryMiB[random.Next(VmMemoryMiB.Length)], [], random.Next(0, 4));
            vms[v] = vm;
            hostOf[v] = h;
            usedCpus[h] += vm.Cpus;
            usedMemory[h] += vm.MemoryMiB;
            running.Add(vm.Id, hostSpecs[h].Id);
            specs.Add(vm.Id, vm);
        }

        var rules = new List<PlacementRule>();
        AddAntiAffinityGroups(shape, random, vms, hostOf, rackOf, rules);
        AddAffinityPairs(shape, random, vms, rules);
        AddPinning(shape, random, vms, hostOf, rules);
        AddSpreadRules(shape, random, vms, rules);

        var hosts = new PlacementHost[shape.Hosts];
        for (var h = 0; h < shape.Hosts; h++)
        {
            hosts[h] = new PlacementHost(hostSpecs[h], true, null, usedCpus[h], usedMemory[h]);
        }
        return new PlacementRequest(hosts, running, specs, [], rules, MaxStartsPerHost: 8);
    }

    /// <summary>
    /// The request the coordinator would build when every host of <paramref name="rackLabel"/> is dead: those hosts
    /// ineligible, their VMs to place and gone from the running map.
    /// </summary>
    public static PlacementRequest RackFailure(PlacementRequest cluster, string rackLabel)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new PlacementHost[cluster.Hosts.Count];
        for (var i = 0; i < hosts.Length; i++)
        {
            var host = cluster.Hosts[i];
            if (host.Spec.Domains.Rack == rackLabel)
            {
                failed.Add(host.Spec.Id);
                host = host with { Eligible = false, IneligibleReason = "dead" };
            }
            hosts[i] = host;
        }
        var running = new Dictionary<string, string>(cluster.Running.Count, StringComparer.Ordinal);
        var toPlace = new List<VmSpec>();
        foreach (var (vm, host) in cluster.Running)
        {
            if (failed.Contains(host))
            {
                toPlace.Add(cluster.RunningSpecs[vm]);
            }
            else
            {
                running.Add(vm, host);
            }
        }
        return cluster with { Hosts = hosts, Running = running, VmsToPlace = toPlace };
    }

    /// <summary>Groups of 3–5 VMs that already run in distinct hosts (or racks); 80 % hard, half at rack level.</summary>
    private static void AddAntiAffinityGroups(ClusterShape shape, Random random, VmSpec[] vms, int[] hostOf, int[] rackOf, List<PlacementRule> rules)
    {
        var domains = new HashSet<int>();
        for (var g = 0; g < shape.AntiAffinityGroups; g++)
        {
            var level = g % 2 == 0 ? FailureDomainLevel.Host : FailureDomainLevel.Rack;
            var size = random.Next(3, 6);
            var members = new List<string>(size);
            domains.Clear();
            while (members.Count < size)
            {
                var v = random.Next(vms.Length);
                var domain = level == FailureDomainLevel.Host ? hostOf[v] : rackOf[hostOf[v]];
                if (domains.Add(domain))
                {
                    members.Add(vms[v].Id);
                }
            }
            var strength = random.Next(5) == 0 ? RuleStrength.Soft : RuleStrength.Hard;
            rules.Add(new AntiAffinityRule($"apart{g:D4}", strength, members, level));
        }
    }

    /// <summary>Pairs on one host (VM j and j + hosts share a host); half hard.</summary>
    private static void AddAffinityPairs(ClusterShape shape, Random random, VmSpec[] vms, List<PlacementRule> rules)
    {
        for (var p = 0; p < shape.AffinityPairs; p++)
        {
            var v = random.Next(vms.Length - shape.Hosts);
            var strength = p % 2 == 0 ? RuleStrength.Hard : RuleStrength.Soft;
            rules.Add(new AffinityRule($"together{p:D4}", strength, [vms[v].Id, vms[v + shape.Hosts].Id]));
        }
    }

    /// <summary>VMs pinned to their host and three random others (licences, GPUs); half hard.</summary>
    private static void AddPinning(ClusterShape shape, Random random, VmSpec[] vms, int[] hostOf, List<PlacementRule> rules)
    {
        for (var p = 0; p < shape.PinnedVms; p++)
        {
            var v = random.Next(vms.Length);
            List<string> hosts = [HostId(hostOf[v]), HostId(random.Next(shape.Hosts)), HostId(random.Next(shape.Hosts)), HostId(random.Next(shape.Hosts))];
            var strength = p % 2 == 0 ? RuleStrength.Hard : RuleStrength.Soft;
            rules.Add(new HostPinningRule($"pin{p:D4}", strength, [vms[v].Id], hosts));
        }
    }

    /// <summary>Large soft spread rules, mostly across racks, some across zones.</summary>
    private static void AddSpreadRules(ClusterShape shape, Random random, VmSpec[] vms, List<PlacementRule> rules)
    {
        for (var s = 0; s < shape.SpreadRules; s++)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            while (members.Count < shape.SpreadRuleSize)
            {
                members.Add(vms[random.Next(vms.Length)].Id);
            }
            var level = s % 4 == 3 ? FailureDomainLevel.Zone : FailureDomainLevel.Rack;
            rules.Add(new SpreadRule($"spread{s:D2}", RuleStrength.Soft, [.. members], level));
        }
    }
}
