using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>
/// One run of <see cref="RestartPlanner"/>: indexes built once from the request (hosts in ordinal id order, domain
/// labels interned per level, rules resolved to host numbers), then mutated as VMs are placed. Not thread-safe and
/// never reused: a new session per plan keeps the planner pure.
/// </summary>
internal sealed partial class PlanningSession
{
    private const int LevelCount = 4;

    private readonly PlacementRequest _request;

    // Hosts sorted by id (ordinal): a lower index wins ties, which makes every plan reproducible.
    private readonly PlacementHost[] _hosts;
    private readonly Dictionary<string, int> _hostIndex;

    // [level][host] → domain number at that level; [level][domain] → label. Level Host maps a host to itself.
    private readonly int[][] _domainOf = new int[LevelCount][];
    private readonly string[][] _domainLabels = new string[LevelCount][];

    // Only eligible hosts are scanned; the ineligible ones are rejected for the same reason for every VM.
    private readonly int[] _eligible;
    private readonly Dictionary<string, int> _ineligibleRejects = new(StringComparer.Ordinal);

    private readonly long[] _freeCpus;
    private readonly long[] _freeMemory;
    private readonly int[] _starts;
    private readonly long _maxStarts;
    private readonly string _startLimitReason;

    // VMs to place after dropping duplicates and VMs that already run, in start order (priority desc, id).
    private readonly List<VmSpec> _entries = [];
    private readonly Dictionary<string, int> _entryIndex = new(StringComparer.Ordinal);

    // Rules naming at least one entry; per entry the rules naming it; where the rules' other members run.
    private readonly List<RuleInfo> _rules = [];
    private readonly List<int>[] _rulesOfEntry;
    private readonly Dictionary<string, int> _located = new(StringComparer.Ordinal);

    private readonly List<PlacementDecision> _placed = [];
    private readonly List<UnplaceableVm> _unplaced = [];

    // Views are per session (the planner stays pure); past this many distinct demands VMs fall back to a scan,
    // which bounds the memory a plan takes (a view is about 9 bytes per host).
    private const int MaxDemandViews = 128;

    private readonly bool _useDemandViews;
    private readonly Dictionary<(long Memory, long Cpus), DemandView> _demandViews = [];
    private readonly List<DemandView> _demandViewList = [];

    /// <param name="useDemandViews">False scans every host for every VM: the reference the views are tested against.</param>
    public PlanningSession(PlacementRequest request, bool useDemandViews = true)
    {
        _request = request;
        _useDemandViews = useDemandViews;
        _hosts = [.. request.Hosts];
        Array.Sort(_hosts, static (a, b) => string.CompareOrdinal(a.Spec.Id, b.Spec.Id));
        var n = _hosts.Length;

        _hostIndex = new Dictionary<string, int>(n, StringComparer.Ordinal);
        _freeCpus = new long[n];
        _freeMemory = new long[n];
        _starts = new int[n];
        var eligible = new List<int>(n);
        for (var h = 0; h < n; h++)
        {
            var host = _hosts[h];
            if (!_hostIndex.TryAdd(host.Spec.Id, h))
            {
                throw new ArgumentException($"host '{host.Spec.Id}' is listed more than once", nameof(request));
            }
            _freeCpus[h] = (long)host.Spec.Cpus - host.UsedCpus;
            _freeMemory[h] = host.Spec.MemoryMiB - host.UsedMemoryMiB;
            if (host.Eligible)
            {
                eligible.Add(h);
            }
            else
            {
                var reason = RejectReasons.NotEligible(host.IneligibleReason);
                _ineligibleRejects[reason] = _ineligibleRejects.GetValueOrDefault(reason) + 1;
            }
        }
        _eligible = [.. eligible];
        _maxStarts = request.MaxStartsPerHost;
        _startLimitReason = RejectReasons.StartLimit(request.MaxStartsPerHost);
        IndexDomains();

        OrderEntries();
        _rulesOfEntry = new List<int>[_entries.Count];
        for (var e = 0; e < _rulesOfEntry.Length; e++)
        {
            _rulesOfEntry[e] = [];
        }
        ResolveRules();
        AllocateScratch();
    }

    public PlacementPlan Run()
    {
        foreach (var unit in BuildUnits())
        {
            PlaceUnit(unit);
        }
        return new PlacementPlan(_placed, _unplaced);
    }

    private void IndexDomains()
    {
        var n = _hosts.Length;
        var identity = new int[n];
        var ids = new string[n];
        for (var h = 0; h < n; h++)
        {
            identity[h] = h;
            ids[h] = _hosts[h].Spec.Id;
        }
        _domainOf[(int)FailureDomainLevel.Host] = identity;
        _domainLabels[(int)FailureDomainLevel.Host] = ids;

        foreach (var level in (ReadOnlySpan<FailureDomainLevel>)[FailureDomainLevel.Rack, FailureDomainLevel.Power, FailureDomainLevel.Zone])
        {
            var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
            var labels = new List<string>();
            var of = new int[n];
            for (var h = 0; h < n; h++)
            {
                var label = _hosts[h].Spec.Domains.LabelAt(level, ids[h]);
                if (!numbers.TryGetValue(label, out var d))
                {
                    d = labels.Count;
                    numbers.Add(label, d);
                    labels.Add(label);
                }
                of[h] = d;
            }
            _domainOf[(int)level] = of;
            _domainLabels[(int)level] = [.. labels];
        }
    }

    /// <summary>Start order: priority descending, then VM id; a VM that already runs or is listed twice is reported.</summary>
    private void OrderEntries()
    {
        var vms = _request.VmsToPlace;
        var order = new int[vms.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            var byPriority = vms[b].Priority.CompareTo(vms[a].Priority);
            if (byPriority != 0)
            {
                return byPriority;
            }
            var byId = string.CompareOrdinal(vms[a].Id, vms[b].Id);
            return byId != 0 ? byId : a.CompareTo(b);
        });

        foreach (var i in order)
        {
            var vm = vms[i];
            if (_request.Running.TryGetValue(vm.Id, out var runsOn))
            {
                _unplaced.Add(new UnplaceableVm(
                    vm.Id,
                    $"already running on {runsOn}: a VM is never started twice",
                    new Dictionary<string, int>(StringComparer.Ordinal)));
            }
            else if (!_entryIndex.TryAdd(vm.Id, _entries.Count))
            {
                _unplaced.Add(new UnplaceableVm(
                    vm.Id,
                    "listed more than once in VmsToPlace: placed at most once, this copy is ignored",
                    new Dictionary<string, int>(StringComparer.Ordinal)));
            }
            else
            {
                _entries.Add(vm);
            }
        }
    }

    /// <summary>Keeps the rules that name an entry, records where their other members run, resolves hosts.</summary>
    private void ResolveRules()
    {
        foreach (var rule in _request.Rules)
        {
            if (!NamesAnEntry(rule))
            {
                continue;
            }
            var info = rule switch
            {
                AffinityRule => new RuleInfo(rule, RuleKind.Affinity, FailureDomainLevel.Host),
                AntiAffinityRule aa => new RuleInfo(rule, RuleKind.AntiAffinity, aa.Level),
                HostPinningRule => new RuleInfo(rule, RuleKind.Pinning, FailureDomainLevel.Host),
                SpreadRule s => new RuleInfo(rule, RuleKind.Spread, s.Level),
                _ => null,
            };
            if (info is null)
            {
                continue;
            }
            var index = _rules.Count;
            _rules.Add(info);
            if (info.Kind == RuleKind.Spread)
            {
                info.SpreadCounts = new int[_domainLabels[(int)info.Level].Length];
            }

            // Only spread counts would suffer from a VM listed twice; other kinds are idempotent per member.
            // (A shared set would cost O(its capacity) per Clear, per rule: quadratic in rule sizes.)
            var seen = info.Kind == RuleKind.Spread ? new HashSet<string>(rule.VmIds.Count, StringComparer.Ordinal) : null;
            foreach (var vmId in rule.VmIds)
            {
                if (seen is not null && !seen.Add(vmId))
                {
                    continue;
                }
                if (_entryIndex.TryGetValue(vmId, out var e))
                {
                    var rulesOfEntry = _rulesOfEntry[e];
                    if (rulesOfEntry.Count == 0 || rulesOfEntry[^1] != index)
                    {
                        rulesOfEntry.Add(index);
                    }
                }
                else if (_request.Running.TryGetValue(vmId, out var hostId) && _hostIndex.TryGetValue(hostId, out var h))
                {
                    // Spread rules only need counts; big ones would otherwise fill the map with VMs no rule walks.
                    if (info.Kind == RuleKind.Spread)
                    {
                        info.SpreadCounts[_domainOf[(int)info.Level][h]]++;
                    }
                    else
                    {
                        _located[vmId] = h;
                    }
                }
            }

            if (rule is HostPinningRule pin)
            {
                var hosts = new List<int>(pin.HostIds.Count);
                foreach (var hostId in pin.HostIds)
                {
                    if (_hostIndex.TryGetValue(hostId, out var h))
                    {
                        hosts.Add(h);
                    }
                }
                hosts.Sort();
                var unique = new List<int>(hosts.Count);
                foreach (var h in hosts)
                {
                    if (unique.Count == 0 || unique[^1] != h)
                    {
                        unique.Add(h);
                    }
                }
                info.PinnedHosts = [.. unique];
            }
        }
    }

    private bool NamesAnEntry(PlacementRule rule)
    {
        foreach (var vmId in rule.VmIds)
        {
            if (_entryIndex.ContainsKey(vmId))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Groups entries joined by hard affinity rules (transitively) into units placed together; singletons otherwise.
    /// Units keep the start order of their first member.
    /// </summary>
    private List<int[]> BuildUnits()
    {
        var parent = new int[_entries.Count];
        for (var e = 0; e < parent.Length; e++)
        {
            parent[e] = e;
        }
        foreach (var info in _rules)
        {
            if (info.Kind != RuleKind.Affinity || !info.Hard)
            {
                continue;
            }
            var first = -1;
            foreach (var vmId in info.Rule.VmIds)
            {
                if (!_entryIndex.TryGetValue(vmId, out var e))
                {
                    continue;
                }
                if (first < 0)
                {
                    first = e;
                }
                else
                {
                    Union(parent, first, e);
                }
            }
        }

        var unitOfRoot = new Dictionary<int, List<int>>();
        var units = new List<List<int>>();
        for (var e = 0; e < parent.Length; e++)
        {
            var root = Find(parent, e);
            if (!unitOfRoot.TryGetValue(root, out var unit))
            {
                unit = [];
                unitOfRoot.Add(root, unit);
                units.Add(unit);
            }
            unit.Add(e);
        }
        return units.ConvertAll(static u => u.ToArray());
    }

    private static int Find(int[] parent, int e)
    {
        while (parent[e] != e)
        {
            parent[e] = parent[parent[e]];
            e = parent[e];
        }
        return e;
    }

    private static void Union(int[] parent, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra != rb)
        {
            // The earlier entry stays root so a unit's identity follows start order.
            if (ra < rb)
            {
                parent[rb] = ra;
            }
            else
            {
                parent[ra] = rb;
            }
        }
    }
}
