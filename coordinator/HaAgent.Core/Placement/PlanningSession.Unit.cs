using System.Numerics;
using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>
/// Preparing one unit (a VM or a hard affinity group): its rules get slots, and the hosts and domains its rules
/// touch are marked in stamped scratch arrays, so the host scan does O(1) array reads per rule instead of walking
/// rule members, and nothing is cleared or allocated between units.
/// </summary>
internal sealed partial class PlanningSession
{
    private const int CodeStartLimit = 0;
    private const int CodeMemory = 1;
    private const int CodeCpu = 2;
    private const int FirstRuleCode = 3;

    private int _stamp;
    private int[] _ruleSeen = [];
    private int[] _entryStamp = [];
    private readonly List<int> _unitRules = [];
    private int[] _rejects = new int[16];

    // Per host, valid when _hostStamp[h] == _stamp. Slots are per unit; a rule's bit is 1 << (slot & 63).
    private int[] _hostStamp = [];
    private int[] _hostLastSlot = [];
    private int[] _hardPinCount = [];
    private int[] _softPinCount = [];
    private int[] _hardAffCount = [];
    private int[] _softAffCount = [];
    private ulong[] _hardPinMask = [];
    private ulong[] _hardAffMask = [];

    // Per level and domain: what the unit's anti-affinity and spread rules make of it. Folding every rule into
    // per-domain numbers keeps the per-host cost at one lookup per active level, however many rules the unit has.
    private readonly DomainMark[][] _marks = new DomainMark[LevelCount][];

    // Domains (of spread levels) holding at least one feasible host, for the spread rules' minimum.
    private readonly int[][] _domFeasible = new int[LevelCount][];

    // What the current unit needs.
    private long _needCpus;
    private long _needMemory;
    private int _hardPinRules;
    private int _softPinRules;
    private int _hardAffRules;
    private int _softAffRules;
    private ulong _hardPinRequired;
    private ulong _hardAffRequired;
    private readonly int[] _activeLevels = new int[LevelCount];
    private int _activeLevelCount;
    private readonly int[] _spreadLevels = new int[LevelCount];
    private int _spreadLevelCount;
    private readonly List<int> _hardSpreadSlots = [];
    private readonly List<int> _softSpreadSlots = [];
    private int[] _spreadMin = new int[16];
    private readonly List<int> _unavoidableSoftSlots = [];
    private int _conflictSlot;

    private void AllocateScratch()
    {
        var n = _hosts.Length;
        _ruleSeen = new int[_rules.Count];
        _entryStamp = new int[_entries.Count];
        _hostStamp = new int[n];
        _hostLastSlot = new int[n];
        _hardPinCount = new int[n];
        _softPinCount = new int[n];
        _hardAffCount = new int[n];
        _softAffCount = new int[n];
        _hardPinMask = new ulong[n];
        _hardAffMask = new ulong[n];
        for (var level = 0; level < LevelCount; level++)
        {
            var domains = _domainLabels[level].Length;
            _marks[level] = new DomainMark[domains];
            _domFeasible[level] = new int[domains];
        }
        _feasible = new int[n];
        _feasibleSoft = new int[n];
        _feasibleSpread = new long[n];
    }

    private void PrepareUnit(int[] unit)
    {
        _stamp++;
        _needCpus = 0;
        _needMemory = 0;
        _hardPinRules = _softPinRules = _hardAffRules = _softAffRules = 0;
        _hardPinRequired = _hardAffRequired = 0;
        _activeLevelCount = _spreadLevelCount = 0;
        _hardSpreadSlots.Clear();
        _softSpreadSlots.Clear();
        _unavoidableSoftSlots.Clear();
        _unitRules.Clear();
        _conflictSlot = -1;

        foreach (var e in unit)
        {
            _entryStamp[e] = _stamp;
            _needCpus += _entries[e].Cpus;
            _needMemory += _entries[e].MemoryMiB;
            foreach (var r in _rulesOfEntry[e])
            {
                if (_ruleSeen[r] != _stamp)
                {
                    _ruleSeen[r] = _stamp;
                    _unitRules.Add(r);
                }
            }
        }

        var slots = _unitRules.Count;
        if (_rejects.Length < FirstRuleCode + slots)
        {
            _rejects = new int[BitOperations.RoundUpToPowerOf2((uint)(FirstRuleCode + slots))];
        }
        Array.Clear(_rejects);
        if (_spreadMin.Length < slots)
        {
            _spreadMin = new int[BitOperations.RoundUpToPowerOf2((uint)slots)];
        }

        for (var slot = 0; slot < slots; slot++)
        {
            var info = _rules[_unitRules[slot]];
            switch (info.Kind)
            {
                case RuleKind.AntiAffinity:
                    MarkAntiAffinity(info, slot, unit.Length);
                    break;
                case RuleKind.Affinity:
                    MarkAffinity(info, slot);
                    break;
                case RuleKind.Pinning:
                    MarkPinning(info, slot);
                    break;
                case RuleKind.Spread:
                    MarkSpread(info, slot);
                    break;
            }
        }
    }

    private bool InUnit(string vmId) => _entryIndex.TryGetValue(vmId, out var e) && _entryStamp[e] == _stamp;

    private void MarkAntiAffinity(RuleInfo info, int slot, int unitSize)
    {
        if (unitSize > 1 && CountInUnit(info.Rule) > 1)
        {
            if (info.Hard)
            {
                _conflictSlot = slot;
            }
            else
            {
                _unavoidableSoftSlots.Add(slot);
            }
        }

        var level = (int)info.Level;
        var of = _domainOf[level];
        foreach (var vmId in info.Rule.VmIds)
        {
            if (!_located.TryGetValue(vmId, out var h) || InUnit(vmId))
            {
                continue;
            }
            ref var mark = ref TouchDomain(level, of[h]);
            if (info.Hard)
            {
                if (mark.HardSlot == 0)
                {
                    mark.HardSlot = slot + 1;
                }
            }
            else if (mark.LastSoftSlot != slot)
            {
                mark.Soft++;
                mark.LastSoftSlot = slot;
            }
        }
    }

    /// <summary>Soft spread: every domain of the level scores its members. Hard spread: filtered after the scan.</summary>
    private void MarkSpread(RuleInfo info, int slot)
    {
        var level = (int)info.Level;
        (info.Hard ? _hardSpreadSlots : _softSpreadSlots).Add(slot);
        AddLevel(_spreadLevels, ref _spreadLevelCount, level);
        if (info.Hard)
        {
            return;
        }
        var counts = info.SpreadCounts;
        for (var d = 0; d < counts.Length; d++)
        {
            TouchDomain(level, d).Spread += counts[d];
        }
    }

    private ref DomainMark TouchDomain(int level, int d)
    {
        ref var mark = ref _marks[level][d];
        if (mark.Stamp != _stamp)
        {
            mark = new DomainMark { Stamp = _stamp, LastSoftSlot = -1 };
            AddLevel(_activeLevels, ref _activeLevelCount, level);
        }
        return ref mark;
    }

    private int CountInUnit(PlacementRule rule)
    {
        var first = -1;
        foreach (var vmId in rule.VmIds)
        {
            if (_entryIndex.TryGetValue(vmId, out var e) && _entryStamp[e] == _stamp)
            {
                if (first < 0)
                {
                    first = e;
                }
                else if (e != first)
                {
                    return 2;
                }
            }
        }
        return first < 0 ? 0 : 1;
    }

    private static void AddLevel(int[] levels, ref int count, int level)
    {
        for (var i = 0; i < count; i++)
        {
            if (levels[i] == level)
            {
                return;
            }
        }
        levels[count++] = level;
    }

    private void MarkAffinity(RuleInfo info, int slot)
    {
        var bit = 1UL << (slot & 63);
        var any = false;
        foreach (var vmId in info.Rule.VmIds)
        {
            if (!_located.TryGetValue(vmId, out var h) || InUnit(vmId))
            {
                continue;
            }
            any = true;
            TouchHost(h);
            if (_hostLastSlot[h] == slot)
            {
                continue;
            }
            _hostLastSlot[h] = slot;
            if (info.Hard)
            {
                _hardAffCount[h]++;
                _hardAffMask[h] |= bit;
            }
            else
            {
                _softAffCount[h]++;
            }
        }
        if (!any)
        {
            return;
        }
        if (info.Hard)
        {
            _hardAffRules++;
            _hardAffRequired |= bit;
        }
        else
        {
            _softAffRules++;
        }
    }

    private void MarkPinning(RuleInfo info, int slot)
    {
        var bit = 1UL << (slot & 63);
        foreach (var h in info.PinnedHosts)
        {
            TouchHost(h);
            if (info.Hard)
            {
                _hardPinCount[h]++;
                _hardPinMask[h] |= bit;
            }
            else
            {
                _softPinCount[h]++;
            }
        }
        if (info.Hard)
        {
            _hardPinRules++;
            _hardPinRequired |= bit;
        }
        else
        {
            _softPinRules++;
        }
    }

    private void TouchHost(int h)
    {
        if (_hostStamp[h] == _stamp)
        {
            return;
        }
        _hostStamp[h] = _stamp;
        _hostLastSlot[h] = -1;
        _hardPinCount[h] = 0;
        _softPinCount[h] = 0;
        _hardAffCount[h] = 0;
        _softAffCount[h] = 0;
        _hardPinMask[h] = 0;
        _hardAffMask[h] = 0;
    }
}
