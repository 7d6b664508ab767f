using System.Numerics;

namespace HaAgent.Core.Placement;

/// <summary>
/// The host scan: every eligible host is checked against the unit's hard constraints in a fixed order (start limit,
/// memory, cpu, pinning, affinity, anti-affinity, spread) and counted under the first it fails; the survivors are
/// scored (soft rules broken, spread members, free memory, host id) and the best two kept as the scan goes.
/// O(eligible hosts) per unit with array reads only: no allocation, no LINQ, no dictionary lookups.
/// </summary>
internal sealed partial class PlanningSession
{
    // Hosts that passed every hard check, kept only when a hard spread rule needs a second pass.
    private int[] _feasible = [];
    private int[] _feasibleSoft = [];
    private long[] _feasibleSpread = [];
    private int _feasibleCount;

    // The winner and the runner-up (−1 when fewer than two hosts are feasible), with their scores.
    private Candidate _best;
    private Candidate _runnerUp;

    private void PlaceUnit(int[] unit)
    {
        PrepareUnit(unit);
        if (_conflictSlot >= 0)
        {
            ReportConflict(unit);
            return;
        }
        _best = Candidate.None;
        _runnerUp = Candidate.None;
        _feasibleCount = 0;
        if (_unitRules.Count == 0)
        {
            ScanWithoutRules(unit.Length);
        }
        else
        {
            ScanWithRules(unit.Length);
            FilterHardSpread();
        }
        if (_best.Host < 0)
        {
            ReportUnplaceable(unit);
            return;
        }
        Commit(unit);
    }

    /// <summary>
    /// Most VMs name no rule: then only the start limit, memory and cpu decide, and the best host is the one with
    /// the most free memory. A <see cref="DemandView"/> answers for a demand seen before by re-checking only the
    /// hosts changed since; otherwise one tight pass over struct-of-arrays, locals only.
    /// </summary>
    private void ScanWithoutRules(int unitSize)
    {
        if (unitSize == 1 && DemandViewFor(_needMemory, _needCpus) is { } view)
        {
            view.EnsureBuilt();
            _rejects[CodeStartLimit] = view.StartLimitedCount;
            _rejects[CodeMemory] = view.NoMemoryCount;
            _rejects[CodeCpu] = view.NoCpuCount;
            _feasibleCount = view.FeasibleCount;
            _best = new Candidate(view.Best, 0, 0);
            _runnerUp = new Candidate(view.RunnerUp, 0, 0);
            return;
        }

        var eligible = _eligible;
        var starts = _starts;
        var freeMemory = _freeMemory;
        var freeCpus = _freeCpus;
        var startsCeiling = _maxStarts - unitSize;
        var needMemory = _needMemory;
        var needCpus = _needCpus;
        int startLimited = 0, noMemory = 0, noCpu = 0, feasible = 0;
        int best = -1, runnerUp = -1;
        long bestFree = long.MinValue, runnerUpFree = long.MinValue;
        for (var i = 0; i < eligible.Length; i++)
        {
            var h = eligible[i];
            var free = freeMemory[h];
            if (starts[h] > startsCeiling)
            {
                startLimited++;
            }
            else if (free < needMemory)
            {
                noMemory++;
            }
            else if (freeCpus[h] < needCpus)
            {
                noCpu++;
            }
            else
            {
                feasible++;
                // Hosts come in id order, so strict comparisons leave ties to the lower id.
                if (free > bestFree)
                {
                    runnerUp = best;
                    runnerUpFree = bestFree;
                    best = h;
                    bestFree = free;
                }
                else if (free > runnerUpFree)
                {
                    runnerUp = h;
                    runnerUpFree = free;
                }
            }
        }
        _rejects[CodeStartLimit] = startLimited;
        _rejects[CodeMemory] = noMemory;
        _rejects[CodeCpu] = noCpu;
        _feasibleCount = feasible;
        _best = new Candidate(best, 0, 0);
        _runnerUp = new Candidate(runnerUp, 0, 0);
    }

    private DemandView? DemandViewFor(long memory, long cpus)
    {
        if (!_useDemandViews)
        {
            return null;
        }
        if (!_demandViews.TryGetValue((memory, cpus), out var view))
        {
            if (_demandViews.Count >= MaxDemandViews)
            {
                return null;
            }
            view = new DemandView(_eligible, _starts, _freeMemory, _freeCpus, _maxStarts, memory, cpus);
            _demandViews.Add((memory, cpus), view);
            _demandViewList.Add(view);
        }
        return view;
    }

    private void ScanWithRules(int unitSize)
    {
        var eligible = _eligible;
        var starts = _starts;
        var freeMemory = _freeMemory;
        var freeCpus = _freeCpus;
        var hostStamp = _hostStamp;
        var rejects = _rejects;
        var stamp = _stamp;
        var startsCeiling = _maxStarts - unitSize;
        var needMemory = _needMemory;
        var needCpus = _needCpus;
        var hardPinRules = _hardPinRules;
        var hardAffRules = _hardAffRules;
        var softHostRules = _softPinRules + _softAffRules;
        var hardPinCount = _hardPinCount;
        var hardAffCount = _hardAffCount;
        var softPinCount = _softPinCount;
        var softAffCount = _softAffCount;
        var hostMarks = hardPinRules + hardAffRules + softHostRules > 0;
        var keepFeasible = _hardSpreadSlots.Count > 0;
        var marks = _marks;
        var domainOf = _domainOf;
        var domFeasible = _domFeasible;
        var levels = _activeLevels.AsSpan(0, _activeLevelCount);
        var spreadLevels = _spreadLevels.AsSpan(0, _spreadLevelCount);
        var count = 0;
        for (var i = 0; i < eligible.Length; i++)
        {
            var h = eligible[i];
            if (starts[h] > startsCeiling)
            {
                rejects[CodeStartLimit]++;
                continue;
            }
            if (freeMemory[h] < needMemory)
            {
                rejects[CodeMemory]++;
                continue;
            }
            if (freeCpus[h] < needCpus)
            {
                rejects[CodeCpu]++;
                continue;
            }
            var touched = hostMarks && hostStamp[h] == stamp;
            if (hardPinRules > 0 && (!touched || hardPinCount[h] < hardPinRules))
            {
                rejects[FirstRuleCode + MissingSlot(_hardPinRequired, touched ? _hardPinMask[h] : 0, RuleKind.Pinning)]++;
                continue;
            }
            if (hardAffRules > 0 && (!touched || hardAffCount[h] < hardAffRules))
            {
                rejects[FirstRuleCode + MissingSlot(_hardAffRequired, touched ? _hardAffMask[h] : 0, RuleKind.Affinity)]++;
                continue;
            }

            var forbiddenBy = 0;
            var soft = 0;
            long spread = 0;
            foreach (var level in levels)
            {
                ref readonly var mark = ref marks[level][domainOf[level][h]];
                if (mark.Stamp == stamp)
                {
                    forbiddenBy = mark.HardSlot;
                    if (forbiddenBy != 0)
                    {
                        break;
                    }
                    soft += mark.Soft;
                    spread += mark.Spread;
                }
            }
            if (forbiddenBy != 0)
            {
                rejects[FirstRuleCode + forbiddenBy - 1]++;
                continue;
            }
            soft += touched ? softHostRules - softPinCount[h] - softAffCount[h] : softHostRules;
            foreach (var level in spreadLevels)
            {
                domFeasible[level][domainOf[level][h]] = stamp;
            }

            if (keepFeasible)
            {
                _feasible[count] = h;
                _feasibleSoft[count] = soft;
                _feasibleSpread[count] = spread;
            }
            else
            {
                Consider(new Candidate(h, soft, spread));
            }
            count++;
        }
        _feasibleCount = count;
        ComputeSpreadMinimums();
    }

    /// <summary>Per spread rule, the fewest members in a domain that holds a feasible host.</summary>
    private void ComputeSpreadMinimums()
    {
        foreach (var slots in (ReadOnlySpan<List<int>>)[_softSpreadSlots, _hardSpreadSlots])
        {
            foreach (var slot in slots)
            {
                var info = _rules[_unitRules[slot]];
                var feasible = _domFeasible[(int)info.Level];
                var counts = info.SpreadCounts;
                var min = int.MaxValue;
                for (var d = 0; d < counts.Length; d++)
                {
                    if (feasible[d] == _stamp && counts[d] < min)
                    {
                        min = counts[d];
                    }
                }
                _spreadMin[slot] = min;
            }
        }
    }

    private void Consider(Candidate candidate)
    {
        if (_best.Host < 0 || Better(candidate, _best))
        {
            _runnerUp = _best;
            _best = candidate;
        }
        else if (_runnerUp.Host < 0 || Better(candidate, _runnerUp))
        {
            _runnerUp = candidate;
        }
    }

    /// <summary>Fewer soft rules broken, then fewer spread members, then more free memory, then lower host id.</summary>
    private bool Better(Candidate a, Candidate b)
    {
        if (a.SoftBroken != b.SoftBroken)
        {
            return a.SoftBroken < b.SoftBroken;
        }
        if (a.Spread != b.Spread)
        {
            return a.Spread < b.Spread;
        }
        if (_freeMemory[a.Host] != _freeMemory[b.Host])
        {
            return _freeMemory[a.Host] > _freeMemory[b.Host];
        }
        return a.Host < b.Host;
    }

    /// <summary>
    /// The rule whose bit the host lacks. Bits alias past 64 rules of one unit; feasibility is decided by counts,
    /// so aliasing can only misname the reason, and then the first rule of the kind is named.
    /// </summary>
    private int MissingSlot(ulong required, ulong have, RuleKind kind)
    {
        var missing = required & ~have;
        var slot = BitOperations.TrailingZeroCount(missing == 0 ? required : missing);
        if (slot < _unitRules.Count && _rules[_unitRules[slot]].Kind == kind)
        {
            return slot;
        }
        for (var s = 0; s < _unitRules.Count; s++)
        {
            var info = _rules[_unitRules[s]];
            if (info.Kind == kind && info.Hard)
            {
                return s;
            }
        }
        return 0;
    }

    /// <summary>A hard spread rule admits only the domains with the fewest of its members among feasible hosts.</summary>
    private void FilterHardSpread()
    {
        if (_hardSpreadSlots.Count == 0)
        {
            return;
        }
        var kept = 0;
        for (var j = 0; j < _feasibleCount; j++)
        {
            var h = _feasible[j];
            var fullerBy = -1;
            foreach (var slot in _hardSpreadSlots)
            {
                var info = _rules[_unitRules[slot]];
                if (info.SpreadCounts[_domainOf[(int)info.Level][h]] > _spreadMin[slot])
                {
                    fullerBy = slot;
                    break;
                }
            }
            if (fullerBy >= 0)
            {
                _rejects[FirstRuleCode + fullerBy]++;
                continue;
            }
            Consider(new Candidate(h, _feasibleSoft[j], _feasibleSpread[j]));
            kept++;
        }
        _feasibleCount = kept;
    }

    private void Commit(int[] unit)
    {
        var h = _best.Host;
        var softBroken = SoftRulesBrokenOn(h);
        var why = Explain(unit, softBroken);
        var rejected = RejectedHosts();
        foreach (var e in unit)
        {
            var vm = _entries[e];
            _freeCpus[h] -= vm.Cpus;
            _freeMemory[h] -= vm.MemoryMiB;
            _starts[h]++;
            foreach (var view in _demandViewList)
            {
                view.HostChanged(h);
            }
            _located[vm.Id] = h;
            foreach (var r in _rulesOfEntry[e])
            {
                var info = _rules[r];
                if (info.Kind == RuleKind.Spread)
                {
                    info.SpreadCounts[_domainOf[(int)info.Level][h]]++;
                }
            }
            _placed.Add(new PlacementDecision(vm.Id, _hosts[h].Spec.Id, why, softBroken, rejected));
        }
    }
}
