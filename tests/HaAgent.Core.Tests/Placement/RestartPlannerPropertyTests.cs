using CsCheck;
using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Core.Tests.Placement;

/// <summary>
/// For random small clusters and rule sets, checks the planner's promises with a checker written independently of
/// its indexes: no placement breaks a hard rule, capacity or the start limit; only eligible hosts are used; every
/// request entry is placed once or reported with a reason; the same request gives the same plan.
/// </summary>
public sealed class RestartPlannerPropertyTests
{
    private sealed record HostGen(int Cpus, int MemoryGiB, int Rack, int Power, int Zone, bool Eligible, int UsedPercent);

    private sealed record VmGen(int Cpus, int MemoryHalfGiB, int Priority, int Where, bool ListedTwice);

    private sealed record RuleGen(int Kind, bool Hard, int Level, int[] Members, int[] Hosts);

    private sealed record ClusterGen(HostGen[] Hosts, VmGen[] Vms, RuleGen[] Rules, int MaxStarts)
    {
        public PlacementRequest ToRequest()
        {
            var hostIds = Hosts.Select((_, i) => $"h{i}").ToArray();
            var vmIds = Vms.Select((_, i) => $"v{i}").ToArray();
            var used = Hosts.Select(h => (Cpus: h.Cpus * h.UsedPercent / 100, Memory: h.MemoryGiB * 1024L * h.UsedPercent / 100)).ToArray();
            var running = new Dictionary<string, string>(StringComparer.Ordinal);
            var specs = new Dictionary<string, VmSpec>(StringComparer.Ordinal);
            var toPlace = new List<VmSpec>();
            for (var v = 0; v < Vms.Length; v++)
            {
                var vm = Vms[v];
                var spec = new VmSpec(vmIds[v], vm.Cpus, vm.MemoryHalfGiB * 512L, [], vm.Priority);
                if (vm.Where < Hosts.Length)
                {
                    running[spec.Id] = hostIds[vm.Where];
                    specs[spec.Id] = spec;
                    used[vm.Where] = (used[vm.Where].Cpus + spec.Cpus, used[vm.Where].Memory + spec.MemoryMiB);
                }
                else
                {
                    toPlace.Add(spec);
                    if (vm.ListedTwice)
                    {
                        toPlace.Add(spec);
                    }
                }
            }
            var hosts = Hosts.Select((h, i) => new PlacementHost(
                new HostSpec(hostIds[i], h.Cpus, h.MemoryGiB * 1024L, new FailureDomains($"r{h.Rack}", $"p{h.Power}", $"z{h.Zone}")),
                h.Eligible,
                h.Eligible ? null : "dead",
                used[i].Cpus,
                used[i].Memory)).ToList();
            var rules = new List<PlacementRule>();
            for (var r = 0; r < Rules.Length; r++)
            {
                var rule = Rules[r];
                if (vmIds.Length == 0)
                {
                    break;
                }
                var members = rule.Members.Select(m => vmIds[m % vmIds.Length]).ToList();
                var strength = rule.Hard ? RuleStrength.Hard : RuleStrength.Soft;
                var level = (FailureDomainLevel)rule.Level;
                rules.Add(rule.Kind switch
                {
                    0 => new AntiAffinityRule($"aa{r}", strength, members, level),
                    1 => new AffinityRule($"af{r}", strength, members),
                    2 => new HostPinningRule($"pin{r}", strength, members, rule.Hosts.Select(h => hostIds[h % hostIds.Length]).ToList()),
                    _ => new SpreadRule($"sp{r}", strength, members, level),
                });
            }
            return new PlacementRequest(hosts, running, specs, toPlace, rules, MaxStarts >= 4 ? int.MaxValue : MaxStarts);
        }
    }

    private static readonly Gen<ClusterGen> Clusters = Gen.Select(
        Gen.Select(Gen.Int[1, 16], Gen.Int[1, 16], Gen.Int[0, 2], Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[0, 4], Gen.Int[0, 2],
            (cpus, mem, rack, power, zone, eligible, used) => new HostGen(cpus, mem, rack, power, zone, eligible != 0, used * 40)).Array[1, 8],
        Gen.Select(Gen.Int[1, 4], Gen.Int[1, 8], Gen.Int[0, 3], Gen.Int[0, 15], Gen.Int[0, 9],
            (cpus, mem, priority, where, twice) => new VmGen(cpus, mem, priority, where, twice == 0)).Array[0, 16],
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 99].Array[1, 5], Gen.Int[0, 99].Array[1, 3],
            (kind, hard, level, members, hosts) => new RuleGen(kind, hard, level, members, hosts)).Array[0, 6],
        Gen.Int[1, 4],
        (hosts, vms, rules, maxStarts) => new ClusterGen(hosts, vms, rules, maxStarts));

    // Many VMs of few sizes on many small hosts: demands repeat, hosts fill up and hit the start limit, so the
    // incremental demand views are built, re-checked and emptied.
    private static readonly Gen<ClusterGen> CrowdedClusters = Gen.Select(
        Gen.Select(Gen.Int[2, 8], Gen.Int[2, 6], Gen.Int[0, 3], Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[0, 6], Gen.Int[0, 2],
            (cpus, mem, rack, power, zone, eligible, used) => new HostGen(cpus, mem, rack, power, zone, eligible != 0, used * 30)).Array[1, 40],
        Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[0, 2], Gen.Int[0, 60], Gen.Int[0, 30],
            (cpus, mem, priority, where, twice) => new VmGen(cpus, mem, priority, where, twice == 0)).Array[0, 150],
        Gen.Select(Gen.Int[0, 3], Gen.Bool, Gen.Int[0, 3], Gen.Int[0, 149].Array[1, 4], Gen.Int[0, 39].Array[1, 6],
            (kind, hard, level, members, hosts) => new RuleGen(kind, hard, level, members, hosts)).Array[0, 4],
        Gen.Int[1, 4],
        (hosts, vms, rules, maxStarts) => new ClusterGen(hosts, vms, rules, maxStarts));

    [Fact]
    public void Plan_DemandViews_GiveTheSamePlanAsAFullScanPerVm()
    {
        CrowdedClusters.Sample(cluster =>
        {
            var request = cluster.ToRequest();
            var scanned = new PlanningSession(request, useDemandViews: false).Run().Render();
            Assert.Equal(scanned, new PlanningSession(request, useDemandViews: true).Run().Render());
        }, iter: 500);
    }

    [Fact]
    public void Plan_CrowdedRandomClusters_KeepHardRulesCapacityAndAccountForEveryVm()
    {
        var planner = new RestartPlanner();
        CrowdedClusters.Sample(cluster =>
        {
            var request = cluster.ToRequest();
            CheckPlan(request, planner.Plan(request));
        }, iter: 500);
    }

    [Fact]
    public void Plan_RandomClusters_KeepHardRulesCapacityAndAccountForEveryVm()
    {
        var planner = new RestartPlanner();
        Clusters.Sample(cluster =>
        {
            var request = cluster.ToRequest();
            var plan = planner.Plan(request);
            CheckPlan(request, plan);
            Assert.Equal(plan.Render(), planner.Plan(request).Render());
        }, iter: 3000);
    }

    private static void CheckPlan(PlacementRequest request, PlacementPlan plan)
    {
        var hosts = request.Hosts.ToDictionary(h => h.Spec.Id, StringComparer.Ordinal);
        var specs = new Dictionary<string, VmSpec>(StringComparer.Ordinal);
        foreach (var vm in request.VmsToPlace)
        {
            specs.TryAdd(vm.Id, vm);
        }

        // Every entry is accounted for exactly once; no VM is placed twice; running VMs are never placed.
        Assert.Equal(plan.Placed.Count, plan.Placed.Select(d => d.VmId).Distinct().Count());
        foreach (var group in request.VmsToPlace.GroupBy(v => v.Id))
        {
            var placed = plan.Placed.Count(d => d.VmId == group.Key);
            var unplaced = plan.Unplaced.Where(u => u.VmId == group.Key).ToList();
            Assert.Equal(group.Count(), placed + unplaced.Count);
            Assert.All(unplaced, u => Assert.False(string.IsNullOrWhiteSpace(u.Reason)));
            if (request.Running.ContainsKey(group.Key))
            {
                Assert.Equal(0, placed);
            }
        }

        // Eligible hosts, capacity, start limit.
        foreach (var onHost in plan.Placed.GroupBy(d => d.HostId))
        {
            var host = hosts[onHost.Key];
            Assert.True(host.Eligible, $"{onHost.Key} is not eligible");
            Assert.True(onHost.Count() <= request.MaxStartsPerHost, $"{onHost.Key}: too many starts");
            Assert.True(host.UsedCpus + onHost.Sum(d => specs[d.VmId].Cpus) <= host.Spec.Cpus, $"{onHost.Key}: cpus overcommitted");
            Assert.True(host.UsedMemoryMiB + onHost.Sum(d => specs[d.VmId].MemoryMiB) <= host.Spec.MemoryMiB, $"{onHost.Key}: memory overcommitted");
        }

        // Hard rules, on running plus placed.
        var placedOn = plan.Placed.ToDictionary(d => d.VmId, d => d.HostId, StringComparer.Ordinal);
        string? Where(string vm) => placedOn.TryGetValue(vm, out var h) ? h : request.Running.TryGetValue(vm, out var r) ? r : null;
        foreach (var rule in request.Rules.Where(r => r.Strength == RuleStrength.Hard))
        {
            var members = rule.VmIds.Distinct().ToList();
            foreach (var vm in members.Where(placedOn.ContainsKey))
            {
                var host = placedOn[vm];
                var others = members.Where(o => o != vm).Select(Where).OfType<string>().ToList();
                switch (rule)
                {
                    case AntiAffinityRule aa:
                        var label = hosts[host].Spec.Domains.LabelAt(aa.Level, host);
                        Assert.All(others, o => Assert.NotEqual(label, hosts[o].Spec.Domains.LabelAt(aa.Level, o)));
                        break;
                    case AffinityRule:
                        var runningHosts = members.Where(m => !placedOn.ContainsKey(m)).Select(m => request.Running.GetValueOrDefault(m)).OfType<string>().Distinct().ToList();
                        if (runningHosts.Count > 1)
                        {
                            Assert.Contains(host, runningHosts);
                        }
                        else
                        {
                            Assert.All(others, o => Assert.Equal(host, o));
                        }
                        break;
                    case HostPinningRule pin:
                        Assert.Contains(host, pin.HostIds);
                        break;
                }
            }
        }
    }
}
