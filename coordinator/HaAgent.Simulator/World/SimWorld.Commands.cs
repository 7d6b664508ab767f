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
                    _inbox.Enqueue(new MaintenanceRequest(now, id, true));
                    break;
                case "maintenance-end":
                    _inbox.Enqueue(new MaintenanceRequest(now, id, false));
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
    }
}
