using HaAgent.Core.Env;
using HaAgent.Core.Observations;

namespace HaAgent.Simulator.World;

internal sealed partial class SimWorld
{
    private void ExecuteFence(SimHost executor, FenceOrder order)
    {
        var now = _time.GetUtcNow();
        if (!executor.Alive)
        {
            Write($"   {executor.Id} died before finishing {order.FenceId}");
            return;
        }
        var victim = _hostById[order.VictimHostId];
        if (victim.FenceHangs.Take())
        {
            Write($"   {executor.Id}: {order.FenceId} of {victim.Id} hangs (injected), no result");
            return;
        }
        if (victim.FenceFails.Take())
        {
            Write($"   {executor.Id}: {order.FenceId} of {victim.Id} FAILED (injected)");
            Deliver(executor, new FenceResult(now, order.FenceId, order.Token, victim.Id, executor.Id, false,
                "injected: ceph osd blocklist add / PREEMPT timed out", []), "fence result");
            return;
        }
        var unproven = victim.FenceUnproven.Take();
        var evidence = new List<FenceEvidence>();
        foreach (var target in order.Targets)
        {
            switch (target)
            {
                case CephBlocklistTarget ceph when unproven:
                    // The executor saw an OSD map from before its own blocklist entry: nothing is proven.
                    evidence.Add(new CephBlocklistEvidence(_osdmapEpoch + 1, _osdmapEpoch, [.. _blocklist]));
                    break;
                case CephBlocklistTarget ceph:
                    foreach (var address in ceph.Addresses)
                    {
                        _blocklist.Add(address);
                    }
                    _osdmapEpoch++;
                    evidence.Add(new CephBlocklistEvidence(_osdmapEpoch, _osdmapEpoch, [.. _blocklist.Order(StringComparer.Ordinal)]));
                    break;
                case IscsiPreemptTarget iscsi:
                    var keys = _lunKeys[LunName(iscsi.Target, iscsi.Lun)];
                    if (!unproven)
                    {
                        keys.Remove(iscsi.VictimKey);
                    }
                    evidence.Add(new IscsiKeysEvidence(iscsi.Target, iscsi.Lun, [.. keys]));
                    break;
                default:
                    break;
            }
        }
        Write($"   {executor.Id}: {order.FenceId} of {victim.Id} (token {order.Token}) {(unproven ? "reports success but applied nothing (injected)" : "applied")}: {string.Join("; ", evidence)}");
        Deliver(executor, new FenceResult(now, order.FenceId, order.Token, victim.Id, executor.Id, true, null, evidence), "fence result");
    }

    private void ExecuteUnfence(SimHost host, UnfenceOrder order)
    {
        var now = _time.GetUtcNow();
        if (!host.Alive)
        {
            return;
        }
        foreach (var target in order.Targets)
        {
            switch (target)
            {
                case CephBlocklistTarget ceph:
                    foreach (var address in ceph.Addresses)
                    {
                        _blocklist.Remove(address);
                    }
                    _osdmapEpoch++;
                    break;
                case IscsiPreemptTarget iscsi:
                    _lunKeys[LunName(iscsi.Target, iscsi.Lun)].Add(host.Identity.IscsiKey);
                    break;
                default:
                    break;
            }
        }
        host.SelfFenced = false;
        Write($"   {host.Id}: {order.UnfenceId} applied, writes storage again");
        Deliver(host, new UnfenceResult(now, order.UnfenceId, order.Token, host.Id, true, null), "unfence result");
    }

    private void ExecuteStart(SimHost host, VmStartOrder order)
    {
        var now = _time.GetUtcNow();
        if (!host.Alive)
        {
            return;
        }
        if (host.SelfFenced)
        {
            Write($"   {host.Id}: refuses to start {order.VmId}: self-fenced until unfenced");
            Deliver(host, new VmStartResult(now, order.Token, order.VmId, host.Id, false, "self-fenced"), "start result");
            return;
        }
        if (host.StartFails.Take())
        {
            Write($"   {host.Id}: start of {order.VmId} FAILED (injected)");
            Deliver(host, new VmStartResult(now, order.Token, order.VmId, host.Id, false, "injected: qemu exited with status 1"), "start result");
            return;
        }
        if (!host.RunningVms.Contains(order.VmId))
        {
            var vm = _vmById[order.VmId];
            foreach (var other in _hosts)
            {
                if (other == host || !other.RunningVms.Contains(vm.Id))
                {
                    continue;
                }
                if (CanWrite(other, vm) && !_rogueCopies.Contains((vm.Id, other.Id)))
                {
                    var violation = $"{vm.Id} started on {host.Id} while {other.Id} can still write its volumes";
                    Violations.Add(violation);
                    Write($"   !!! INVARIANT BROKEN: {violation}");
                }
                else
                {
                    Write($"   note: a stale copy of {vm.Id} lingers on {other.Id}, cut off from its volumes");
                }
            }
            host.RunningVms.Add(order.VmId);
            Write($"   {host.Id}: started {order.VmId}");
        }
        Deliver(host, new VmStartResult(now, order.Token, order.VmId, host.Id, true, null), "start result");
    }

    private void ExecuteStop(SimHost host, VmStopOrder order)
    {
        var now = _time.GetUtcNow();
        if (!host.Alive)
        {
            return;
        }
        _rogueCopies.Remove((order.VmId, host.Id));
        if (host.RunningVms.Remove(order.VmId))
        {
            Write($"   {host.Id}: stopped {order.VmId}");
        }
        Deliver(host, new VmStopResult(now, order.Token, order.VmId, host.Id, true, null), "stop result");
    }
}
