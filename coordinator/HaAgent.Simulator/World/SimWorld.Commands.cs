using HaAgent.Core.Coordination;
using HaAgent.Core.Observations;
using HaAgent.Simulator.Scenario;

namespace HaAgent.Simulator.World;

internal sealed partial class SimWorld
{
    private void Apply(SimCommand command)
    {
        var now = _time.GetUtcNow();
        Write($">> {command.Text}");
        foreach (var id in command.Hosts)
        {
            var host = _hostById[id];
            switch (command.Verb)
            {
                case "crash":
                    host.Alive = false;
                    Write($"   {id} is down; its VMs die: [{string.Join(',', host.RunningVms)}]");
                    host.RunningVms.Clear();
                    break;
                case "restore":
                    if (!host.Alive)
                    {
                        host.Alive = true;
                        host.Incarnation++;
                        host.SelfFenced = false;
                        Write($"   {id} boots (incarnation {host.Incarnation}) with no VM running");
                    }
                    host.NetworkUp = true;
                    host.StorageUp = true;
                    host.ObserverCut = false;
                    break;
                case "partition" when command.Kind == "storage":
                case "cut-storage":
                    host.StorageUp = false;
                    break;
                case "partition":
                    host.NetworkUp = false;
                    break;
                case "observer-cut":
                    host.ObserverCut = true;
                    break;
                case "observer-restore":
                    host.ObserverCut = false;
                    break;
                case "self-fence":
                    var stopped = host.RunningVms.ToArray();
                    host.RunningVms.Clear();
                    host.SelfFenced = true;
                    Write($"   {id} kills its VMs [{string.Join(',', stopped)}] and reports it through storage");
                    if (host.Alive && host.StorageUp)
                    {
                        _inbox.Enqueue(new SelfFenceReport(now, id, host.Incarnation, stopped));
                    }
                    break;
                case "fence-fails":
                    host.FenceFails.Arm(command.Count);
                    break;
                case "fence-hangs":
                    host.FenceHangs.Arm(command.Count);
                    break;
                case "fence-unproven":
                    host.FenceUnproven.Arm(command.Count);
                    break;
                case "start-fails":
                    host.StartFails.Arm(command.Count);
                    break;
                case "rogue-start":
                    // An operator bypasses HA: the world's invariant check does not blame the coordinator for it.
                    host.RunningVms.Add(command.Kind!);
                    _rogueCopies.Add((command.Kind!, id));
                    Write($"   someone starts {command.Kind} on {id} by hand, outside HA");
                    break;
                case "maintenance":
                    _maintenance.Add(id);
                    _inbox.Enqueue(new MaintenanceRequest(now, id, true));
                    break;
                case "maintenance-end":
                    _maintenance.Remove(id);
                    _inbox.Enqueue(new MaintenanceRequest(now, id, false));
                    break;
                case "remove-host":
                    // As the engine does with a deleted host document: asked again at every step until the coordinator takes it.
                    _removalsAsked.Add(id);
                    break;
                case "add-host":
                    _removalsAsked.Remove(id);
                    _removedHosts.Remove(id);
                    _coordinator.UpsertHost(host.Spec, host.Identity);
                    break;
                default:
                    break;
            }
        }
        if (command.Verb == "observer-restore" && command.Hosts.Count == 0)
        {
            foreach (var host in _hosts)
            {
                host.ObserverCut = false;
            }
        }
        if (command.Verb == "coordinator-epoch")
        {
            Epoch = command.Count;
        }
        else if (command.Verb == "coordinator-failover")
        {
            TakeOver(command.Count);
        }
        else if (command.Verb == "unprotect")
        {
            _unprotected.Add(command.Kind!);
            _coordinator.RemoveVm(command.Kind!);
        }
        else if (command.Verb == "protect")
        {
            _unprotected.Remove(command.Kind!);
            _coordinator.UpsertVm(_vmById[command.Kind!]);
        }
    }

    /// <summary>Hosts whose removal the coordinator deferred: asked again, as the engine re-applies a deleted document.</summary>
    private void RetryRemovals()
    {
        foreach (var id in _removalsAsked)
        {
            if (_coordinator.RemoveHost(id))
            {
                _removedHosts.Add(id);
                Write($"   {id} removed from the cluster");
            }
        }
        _removalsAsked.ExceptWith(_removedHosts);
    }

    /// <summary>
    /// The leader dies; a new one with <paramref name="epoch"/> starts from what the old one persisted (snapshot and
    /// fences in progress) and from the configuration as the operator left it (removed hosts and unprotected VMs are
    /// not given; a host whose removal is still deferred is, and its removal is asked again — as the engine's term
    /// start does): no heartbeat history, only what the store holds.
    /// </summary>
    private void TakeOver(long epoch)
    {
        var (placement, fenced, released) = _coordinator.Snapshot();
        var fencing = _coordinator.FencesInProgress();
        var hosts = _cluster.Hosts.Where(h => !_removedHosts.Contains(h.Id)).ToList();
        var identities = _cluster.Identities.Where(i => hosts.Exists(h => h.Id == i.HostId)).ToList();
        var vms = _cluster.Vms.Where(v => !_unprotected.Contains(v.Id)).ToList();
        Epoch = epoch;
        _coordinator = new HaCoordinator(this, _planner, _cluster.Coordinator,
            new HaCluster(hosts, identities, vms, _cluster.Rules, placement, fenced, released, fencing));
        Write($"   a new leader (epoch {epoch}) starts from the persisted state: {fencing.Count} fence(s) in progress [{string.Join(',', fencing.Keys)}]");
        var now = _time.GetUtcNow();
        foreach (var id in _maintenance)
        {
            _inbox.Enqueue(new MaintenanceRequest(now, id, true));
        }
    }
}
