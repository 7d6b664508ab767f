using System.Globalization;
using System.Text;
using HaAgent.Core.Model;

namespace HaAgent.Core.Placement;

/// <summary>
/// Explanations, built once per unit after the scan: which factor decided against the runner-up, which soft rules
/// the chosen host breaks, and how many hosts each reason excluded.
/// </summary>
internal sealed partial class PlanningSession
{
    /// <summary>Names of the unit's soft rules that placing it on host <paramref name="h"/> breaks.</summary>
    private List<string> SoftRulesBrokenOn(int h)
    {
        var broken = new List<string>();
        for (var slot = 0; slot < _unitRules.Count; slot++)
        {
            var info = _rules[_unitRules[slot]];
            if (!info.Hard && BreaksSoftRule(info, slot, h) && !broken.Contains(info.Rule.Name))
            {
                broken.Add(info.Rule.Name);
            }
        }
        return broken;
    }

    private bool BreaksSoftRule(RuleInfo info, int slot, int h)
    {
        switch (info.Kind)
        {
            case RuleKind.AntiAffinity:
                if (_unavoidableSoftSlots.Contains(slot))
                {
                    return true;
                }
                var of = _domainOf[(int)info.Level];
                foreach (var vmId in info.Rule.VmIds)
                {
                    if (_located.TryGetValue(vmId, out var other) && !InUnit(vmId) && of[other] == of[h])
                    {
                        return true;
                    }
                }
                return false;
            case RuleKind.Affinity:
                foreach (var vmId in info.Rule.VmIds)
                {
                    if (_located.TryGetValue(vmId, out var other) && !InUnit(vmId) && other != h)
                    {
                        return true;
                    }
                }
                return false;
            case RuleKind.Pinning:
                return Array.BinarySearch(info.PinnedHosts, h) < 0;
            case RuleKind.Spread:
                return info.SpreadCounts[_domainOf[(int)info.Level][h]] > _spreadMin[slot];
            default:
                return false;
        }
    }

    private string Explain(int[] unit, List<string> softBroken)
    {
        var h = _best.Host;
        var why = new StringBuilder();
        if (unit.Length > 1)
        {
            why.Append("placed together with its hard affinity group (");
            AppendIds(why, unit);
            why.Append("); ");
        }
        if (_hardAffRules > 0)
        {
            why.Append("hard affinity keeps it with co-members already on this host; ");
        }
        if (_hardPinRules > 0)
        {
            why.Append("pinned to a host set that includes it; ");
        }

        if (_runnerUp.Host < 0)
        {
            why.Append("the only host that meets every hard constraint");
        }
        else
        {
            var other = _runnerUp.Host;
            var otherId = _hosts[other].Spec.Id;
            if (_best.SoftBroken != _runnerUp.SoftBroken)
            {
                var keptHere = SoftRulesBrokenOn(other);
                keptHere.RemoveAll(softBroken.Contains);
                var names = keptHere.Count > 0 ? $" ({string.Join(", ", keptHere)})" : "";
                why.Append(CultureInfo.InvariantCulture,
                    $"keeps soft rules the next-best host {otherId} would break{names}: {_best.SoftBroken} broken here vs {_runnerUp.SoftBroken} there");
            }
            else if (_best.Spread != _runnerUp.Spread)
            {
                why.Append(CultureInfo.InvariantCulture,
                    $"spread: fewest members of spread rule {SpreadRuleNames()} in its domain ({_best.Spread} vs {_runnerUp.Spread} on next-best host {otherId})");
            }
            else if (_freeMemory[h] != _freeMemory[other])
            {
                why.Append(CultureInfo.InvariantCulture,
                    $"most free memory: {_freeMemory[h] - _needMemory} MiB left after start vs {_freeMemory[other] - _needMemory} MiB on next-best host {otherId}");
            }
            else
            {
                why.Append(CultureInfo.InvariantCulture,
                    $"tie with {otherId} on rules and free memory ({_freeMemory[h] - _needMemory} MiB left after start): lowest host id wins");
            }
        }
        why.Append(CultureInfo.InvariantCulture, $"; {_feasibleCount} of {_hosts.Length} hosts feasible");
        if (softBroken.Count > 0)
        {
            why.Append("; soft rules broken: ").AppendJoin(", ", softBroken);
        }
        return why.ToString();
    }

    private string SpreadRuleNames()
    {
        var names = new List<string>(_softSpreadSlots.Count);
        foreach (var slot in _softSpreadSlots)
        {
            names.Add(_rules[_unitRules[slot]].Rule.Name);
        }
        return string.Join(", ", names);
    }

    private void AppendIds(StringBuilder text, int[] unit)
    {
        for (var i = 0; i < unit.Length; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(_entries[unit[i]].Id);
        }
    }

    private Dictionary<string, int> RejectedHosts()
    {
        var rejected = new Dictionary<string, int>(_ineligibleRejects, StringComparer.Ordinal);
        Add(rejected, _startLimitReason, _rejects[CodeStartLimit]);
        Add(rejected, RejectReasons.NoMemory, _rejects[CodeMemory]);
        Add(rejected, RejectReasons.NoCpu, _rejects[CodeCpu]);
        for (var slot = 0; slot < _unitRules.Count; slot++)
        {
            Add(rejected, _rules[_unitRules[slot]].RejectReason, _rejects[FirstRuleCode + slot]);
        }
        return rejected;

        static void Add(Dictionary<string, int> counts, string reason, int count)
        {
            if (count > 0)
            {
                counts[reason] = counts.GetValueOrDefault(reason) + count;
            }
        }
    }

    private void ReportUnplaceable(int[] unit)
    {
        var rejected = RejectedHosts();
        var reason = new StringBuilder();
        if (unit.Length > 1)
        {
            reason.Append("hard affinity group (");
            AppendIds(reason, unit);
            reason.Append(") needs one host for all; ");
        }
        if (_hosts.Length == 0)
        {
            reason.Append("no hosts known");
        }
        else
        {
            reason.Append(CultureInfo.InvariantCulture, $"no feasible host among {_hosts.Length}: ");
            var first = true;
            foreach (var (text, count) in rejected.OrderByDescending(static r => r.Value).ThenBy(static r => r.Key, StringComparer.Ordinal))
            {
                if (!first)
                {
                    reason.Append(", ");
                }
                first = false;
                reason.Append(CultureInfo.InvariantCulture, $"{text} ({count})");
            }
        }
        var because = reason.ToString();
        foreach (var e in unit)
        {
            _unplaced.Add(new UnplaceableVm(_entries[e].Id, because, rejected));
        }
    }

    private void ReportConflict(int[] unit)
    {
        var rule = _rules[_unitRules[_conflictSlot]].Rule;
        var level = rule is AntiAffinityRule aa ? aa.Level : FailureDomainLevel.Host;
        var reason = new StringBuilder();
        reason.Append(CultureInfo.InvariantCulture, $"hard anti-affinity {rule.Name} forbids sharing a {level} but hard affinity keeps (");
        AppendIds(reason, unit);
        reason.Append(") on one host");
        var because = reason.ToString();
        var rejected = new Dictionary<string, int>(StringComparer.Ordinal) { [RejectReasons.ForRule(rule)] = _hosts.Length };
        foreach (var e in unit)
        {
            _unplaced.Add(new UnplaceableVm(_entries[e].Id, because, rejected));
        }
    }
}
