using System.Globalization;
using HaAgent.Core.Coordination;
using HaAgent.Core.Env;
using HaAgent.Core.Model;
using HaAgent.Core.Observations;
using HaAgent.Core.Placement;
using HaAgent.Simulator.Scenario;
using Microsoft.Extensions.Time.Testing;

namespace HaAgent.Simulator.World;

/// <summary>
/// A virtual-clock world of hosts, agents and shared storage, plugged into the real <see cref="HaCoordinator"/> as its
/// <see cref="IHaEnvironment"/>. Everything is deterministic: the same scenario always writes the same log.
/// </summary>
internal sealed partial class SimWorld : IHaEnvironment
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly SimCluster _cluster;
    private readonly SimHost[] _hosts;
    private readonly Dictionary<string, SimHost> _hostById;
    private readonly Dictionary<string, VmSpec> _vmById;
    private readonly Queue<Observation> _inbox = new();
    private readonly Dictionary<string, StorageHeartbeat> _storage = new(StringComparer.Ordinal);
    private readonly HashSet<string> _blocklist = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedSet<string>> _lunKeys = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Action, (TimeSpan Due, long Seq)> _pending = new();
    private readonly List<string> _log = [];
    private readonly HashSet<string> _doubleWriters = new(StringComparer.Ordinal);
    private readonly HashSet<(string VmId, string HostId)> _rogueCopies = [];
    private readonly IPlacementPlanner _planner;
    private readonly HashSet<string> _unprotected = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _removalsAsked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removedHosts = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _maintenance = new(StringComparer.Ordinal);
    private HaCoordinator _coordinator;
    private long _osdmapEpoch = 100;
    private long _actionSeq;

    public SimWorld(SimCluster cluster, IPlacementPlanner planner)
    {
        _cluster = cluster;
        Epoch = cluster.Settings.Epoch;
        var identities = cluster.Identities.ToDictionary(i => i.HostId, StringComparer.Ordinal);
        _hosts = [.. cluster.Hosts.OrderBy(h => h.Id, StringComparer.Ordinal).Select(h => new SimHost(h, identities[h.Id]))];
        _hostById = _hosts.ToDictionary(h => h.Id, StringComparer.Ordinal);
        _vmById = cluster.Vms.ToDictionary(v => v.Id, StringComparer.Ordinal);
        foreach (var (vm, host) in cluster.Placement)
        {
            _hostById[host].RunningVms.Add(vm);
        }
        // Every agent registers its key on every LUN at start, so any healthy peer can preempt on any LUN.
        foreach (var volume in cluster.Vms.SelectMany(v => v.Volumes).OfType<IscsiVolume>())
        {
            var lun = LunName(volume.Target, volume.Lun);
            if (!_lunKeys.ContainsKey(lun))
            {
                _lunKeys[lun] = new SortedSet<string>(_hosts.Select(h => h.Identity.IscsiKey), StringComparer.Ordinal);
            }
        }
        _planner = planner;
        _coordinator = new HaCoordinator(this, planner, cluster.Coordinator, cluster.ToHaCluster());
    }

    public HaCoordinator Coordinator => _coordinator;

    public IReadOnlyList<string> Log => _log;

    /// <summary>Every moment the invariant broke: a VM started while another host could still write its volumes.</summary>
    public List<string> Violations { get; } = [];

    public TimeSpan Now => _time.GetUtcNow() - Start;

    /// <summary>Where each VM really runs (VM id → hosts), whatever the coordinator believes.</summary>
    public IEnumerable<(string VmId, string HostId)> RealPlacement =>
        _hosts.SelectMany(h => h.RunningVms.Select(vm => (vm, h.Id)));

    public SimHost Host(string id) => _hostById[id];

    /// <summary>Plays the timeline to its end (the <c>end</c> command or the <c>end</c> option).</summary>
    public void Run(IReadOnlyList<SimCommand> commands)
    {
        var next = 0;
        var end = _cluster.Settings.End;
        for (var t = TimeSpan.Zero; t <= end; t += _cluster.Settings.Tick)
        {
            _time.SetUtcNow(Start + t);
            while (next < commands.Count && commands[next].At <= t)
            {
                var command = commands[next++];
                if (command.Verb == "end")
                {
                    end = t;
                    break;
                }
                Apply(command);
            }
            if (t > end)
            {
                break;
            }
            while (_pending.TryPeek(out _, out var key) && key.Due <= t)
            {
                _pending.Dequeue()();
            }
            Heartbeats();
            if (_removalsAsked.Count > 0)
            {
                RetryRemovals();
            }
            _coordinator.DoOneIteration();
            CheckWritableCopies();
        }
        WriteSummary();
    }

    public bool CanWrite(SimHost host, VmSpec vm)
    {
        if (!host.Alive || !host.StorageUp)
        {
            return false;
        }
        foreach (var volume in vm.Volumes)
        {
            var writable = volume switch
            {
                CephVolume => !_blocklist.Contains(host.Identity.Address),
                IscsiVolume iscsi => _lunKeys.TryGetValue(LunName(iscsi.Target, iscsi.Lun), out var keys) && keys.Contains(host.Identity.IscsiKey),
                _ => true,
            };
            if (writable)
            {
                return true;
            }
        }
        return vm.Volumes.Count == 0;
    }

    /// <summary>Two copies of one VM that can both write its volumes is the corruption HA must never cause.</summary>
    private void CheckWritableCopies()
    {
        foreach (var vm in _cluster.Vms)
        {
            var writers = 0;
            foreach (var host in _hosts)
            {
                if (host.RunningVms.Contains(vm.Id) && CanWrite(host, vm) && !_rogueCopies.Contains((vm.Id, host.Id)))
                {
                    writers++;
                }
            }
            if (writers > 1 && _doubleWriters.Add(vm.Id))
            {
                var violation = $"{vm.Id} runs on {writers} hosts that can all write its volumes";
                Violations.Add(violation);
                Write($"   !!! INVARIANT BROKEN: {violation}");
            }
        }
    }

    private bool HeartbeatFenced(SimHost host) =>
        _blocklist.Contains(host.Identity.Address) || _lunKeys.Values.Any(keys => !keys.Contains(host.Identity.IscsiKey));

    private void Heartbeats()
    {
        var now = _time.GetUtcNow();
        foreach (var host in _hosts)
        {
            if (host.Alive && host.StorageUp && !HeartbeatFenced(host))
            {
                host.Sequence++;
                _storage[host.Id] = new StorageHeartbeat(host.Id, host.Incarnation, host.Sequence, now, host.MaxToken);
            }
            if (host.Reachable)
            {
                // Heartbeat replies carry the leader's epoch, so reachable agents learn it without an order.
                host.MaxToken = Math.Max(host.MaxToken, Epoch);
                _inbox.Enqueue(new NetworkHeartbeat(now, host.Id, host.Incarnation));
                _inbox.Enqueue(new VmReport(now, host.Id, host.Incarnation, [.. host.RunningVms]));
            }
        }
    }

    private void Schedule(TimeSpan delay, Action action) => _pending.Enqueue(action, (Now + delay, _actionSeq++));

    private static string LunName(string target, int lun) => $"{target}/{lun}";

    private void Write(string text) =>
        _log.Add($"{Now.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),7}s {text}");

    private void WriteSummary()
    {
        Write("== end");
        foreach (var host in _hosts)
        {
            var truth = !host.Alive ? "down" : !host.NetworkUp ? "network cut" : !host.StorageUp ? "storage cut" : "up";
            var verdict = _coordinator.HasHost(host.Id) ? StateName(_coordinator.HostStateOf(host.Id)) : "removed";
            Write($"   host {host.Id}: {verdict} ({truth}) runs [{string.Join(',', host.RunningVms)}]");
        }
        foreach (var vm in _cluster.Vms.OrderBy(v => v.Id, StringComparer.Ordinal))
        {
            Write(_coordinator.TryGetVmState(vm.Id, out var state, out var hostId)
                ? $"   vm {vm.Id}: {state.ToString().ToLowerInvariant()}{(hostId is null ? "" : " on " + hostId)}"
                : $"   vm {vm.Id}: not HA-managed");
        }
        Write(Violations.Count == 0 ? "   invariant held" : $"   INVARIANT BROKEN {Violations.Count} time(s)");
    }

    private static string StateName(HostState state) => state switch
    {
        HostState.FenceFailed => "fence-failed",
        HostState.SelfFenced => "self-fenced",
        _ => state.ToString().ToLowerInvariant(),
    };
}
