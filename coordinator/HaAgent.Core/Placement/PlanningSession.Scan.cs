using System.Numerics;

namespace HaAgent.Core.Placement;

/// <summary>
/// The host scan: every eligible host is checked against the unit's hard constraints in a fixed order (start limit,
/// memory, cpu, pinning, affinity, anti-affinity, spread) and counted under the first it fails; the survivors are
/// scored (soft rules broken, spread members, free memory, host id). O(eligible hosts) per unit with array reads
/// only: no allocation, no LINQ, no dictionary lookups.
/// </summary>
internal sealed partial class PlanningSession
{
    private int[] _feasible = [];
    private int[] _feasibleSoft = [];
    private long[] _feasibleSpread = [];
    private int _feasibleCount;

    private void PlaceUnit(int[] unit)
    {
        PrepareUnit(unit);
        if (_conflictSlot >= 0)
        {
            ReportConflict(unit);
            return;
        }
        ScanHosts(unit.Length);
        FilterHardSpread();
        if (_feasibleCount == 0)
        {
            ReportUnplaceable(unit);
            return;
        }
        var (best, runnerUp) = ChooseBest();
        Commit(unit, best, runnerUp);
    }

    private void ScanHosts(int unitSize)
    {
        var count = 0;
        var eligible = _eligible;
        var startsCeiling = _maxStarts - unitSize;
        var hostMarks = _hardPinRules + _softPinRules + _hardAffRules + _softAffRules > 0;
        var rejects = _rejects;
        for (var i = 0; i < eligible.Length; i++)
        {
            var h = eligible[i];
            if (_starts[h] > startsCeiling)
            {
                rejects[CodeStartLimit]++;
                continue;
            }
            if (_freeMemory[h] < _needMemory)
            {
                rejects[CodeMemory]++;
                continue;
            }
            if (_freeCpus[h] < _needCpus)
            {
                rejects[CodeCpu]++;
                continue;
            }
            var touched = hostMarks && _hostStamp[h] == _stamp;
            if (_hardPinRules > 0 && (!touched || _hardPinCount[h] < _hardPinRules))
            {
                rejects[FirstRuleCode + MissingSlot(_hardPinRequired, touched ? _hardPinMask[h] : 0, RuleKind.Pinning)]++;
                continue;
            }
            if (_hardAffRules > 0 && (!touched || _hardAffCount[h] < _hardAffRules))
            {
                rejects[FirstRuleCode + MissingSlot(_hardAffRequired, touched ? _hardAffMask[h] : 0, RuleKind.Affinity)]++;
                continue;
            }
            var forbiddenBy = HardAntiAffinitySlot(h);
            if (forbiddenBy >= 0)
            {
                rejects[FirstRuleCode + forbiddenBy]++;
                continue;
            }

            _feasible[count] = h;
            _feasibleSoft[count] = SoftBrokenCount(h, touched);
            _feasibleSpread[count] = SpreadScore(h);
            count++;
        }
        _feasibleCount = count;
    }

    private int HardAntiAffinitySlot(int h)
    {
        for (var i = 0; i < _hardLevelCount; i++)
        {
            var level = _hardLevels[i];
            var d = _domainOf[level][h];
            if (_hardMarkStamp[level][d] == _stamp)
            {
                return _hardMarkSlot[level][d];
            }
        }
        return -1;
    }

    private int SoftBrokenCount(int h, bool touched)
    {
        var broken = 0;
        for (var i = 0; i < _softLevelCount; i++)
        {
            var level = _softLevels[i];
            var d = _domainOf[level][h];
            if (_softMarkStamp[level][d] == _stamp)
            {
                broken += _softMarkCount[level][d];
            }
        }
        if (_softPinRules > 0)
        {
            broken += _softPinRules - (touched ? _softPinCount[h] : 0);
        }
        if (_softAffRules > 0)
        {
            broken += _softAffRules - (touched ? _softAffCount[h] : 0);
        }
        return broken;
    }

    /// <summary>Members of the unit's soft spread rules already in the host's domains; tracks each rule's minimum.</summary>
    private long SpreadScore(int h)
    {
        long score = 0;
        for (var i = 0; i < _softSpreadSlots.Count; i++)
        {
            var slot = _softSpreadSlots[i];
            var info = _rules[_unitRules[slot]];
            var c = info.SpreadCounts[_domainOf[(int)info.Level][h]];
            score += c;
            if (c < _spreadMin[slot])
            {
                _spreadMin[slot] = c;
            }
        }
        for (var i = 0; i < _hardSpreadSlots.Count; i++)
        {
            var slot = _hardSpreadSlots[i];
            var info = _rules[_unitRules[slot]];
            var c = info.SpreadCounts[_domainOf[(int)info.Level][h]];
            if (c < _spreadMin[slot])
            {
                _spreadMin[slot] = c;
            }
        }
        return score;
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
            _feasible[kept] = h;
            _feasibleSoft[kept] = _feasibleSoft[j];
            _feasibleSpread[kept] = _feasibleSpread[j];
            kept++;
        }
        _feasibleCount = kept;
    }

    /// <summary>Best and runner-up feasible positions (runner-up −1 when only one host is feasible).</summary>
    private (int Best, int RunnerUp) ChooseBest()
    {
        var best = -1;
        var runnerUp = -1;
        for (var j = 0; j < _feasibleCount; j++)
        {
            if (best < 0 || Better(j, best))
            {
                runnerUp = best;
                best = j;
            }
            else if (runnerUp < 0 || Better(j, runnerUp))
            {
                runnerUp = j;
            }
        }
        return (best, runnerUp);
    }

    private bool Better(int a, int b)
    {
        if (_feasibleSoft[a] != _feasibleSoft[b])
        {
            return _feasibleSoft[a] < _feasibleSoft[b];
        }
        if (_feasibleSpread[a] != _feasibleSpread[b])
        {
            return _feasibleSpread[a] < _feasibleSpread[b];
        }
        var ha = _feasible[a];
        var hb = _feasible[b];
        if (_freeMemory[ha] != _freeMemory[hb])
        {
            return _freeMemory[ha] > _freeMemory[hb];
        }
        return ha < hb;
    }

    private void Commit(int[] unit, int best, int runnerUp)
    {
        var h = _feasible[best];
        var softBroken = SoftRulesBrokenOn(h);
        var why = Explain(unit, best, runnerUp, softBroken);
        var rejected = RejectedHosts();
        foreach (var e in unit)
        {
            var vm = _entries[e];
            _freeCpus[h] -= vm.Cpus;
            _freeMemory[h] -= vm.MemoryMiB;
            _starts[h]++;
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
