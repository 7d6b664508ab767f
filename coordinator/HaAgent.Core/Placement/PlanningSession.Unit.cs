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

    // Per level and domain, valid when the stamp matches: a hard anti-affinity rule forbids it (first rule's slot
    // kept for the reason), or soft anti-affinity rules would be broken there (count, deduplicated by last slot).
    private readonly int[][] _hardMarkStamp = new int[LevelCount][];
    private readonly int[][] _hardMarkSlot = new int[LevelCount][];
    private readonly int[][] _softMarkStamp = new int[LevelCount][];
    private readonly int[][] _softMarkCount = new int[LevelCount][];
    private readonly int[][] _softMarkLastSlot = new int[LevelCount][];

    // What the current unit needs.
    private long _needCpus;
    private long _needMemory;
    private int _hardPinRules;
    private int _softPinRules;
    private int _hardAffRules;
    private int _softAffRules;
    private ulong _hardPinRequired;
    private ulong _hardAffRequired;
    private readonly int[] _hardLevels = new int[LevelCount];
    private int _hardLevelCount;
    private readonly int[] _softLevels = new int[LevelCount];
    private int _softLevelCount;
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
            _hardMarkStamp[level] = new int[domains];
            _hardMarkSlot[level] = new int[domains];
            _softMarkStamp[level] = new int[domains];
            _softMarkCount[level] = new int[domains];
            _softMarkLastSlot[level] = new int[domains];
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
        _hardLevelCount = _softLevelCount = 0;
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
                    (info.Hard ? _hardSpreadSlots : _softSpreadSlots).Add(slot);
                    _spreadMin[slot] = int.MaxValue;
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
        var marked = false;
        foreach (var vmId in info.Rule.VmIds)
        {
            if (!_located.TryGetValue(vmId, out var h) || InUnit(vmId))
            {
                continue;
            }
            var d = of[h];
            marked = true;
            if (info.Hard)
            {
                if (_hardMarkStamp[level][d] != _stamp)
                {
                    _hardMarkStamp[level][d] = _stamp;
                    _hardMarkSlot[level][d] = slot;
                }
            }
            else if (_softMarkStamp[level][d] != _stamp)
            {
                _softMarkStamp[level][d] = _stamp;
                _softMarkCount[level][d] = 1;
                _softMarkLastSlot[level][d] = slot;
            }
            else if (_softMarkLastSlot[level][d] != slot)
            {
                _softMarkCount[level][d]++;
                _softMarkLastSlot[level][d] = slot;
            }
        }
        if (marked)
        {
            if (info.Hard)
            {
                AddLevel(_hardLevels, ref _hardLevelCount, level);
            }
            else
            {
                AddLevel(_softLevels, ref _softLevelCount, level);
            }
        }
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
