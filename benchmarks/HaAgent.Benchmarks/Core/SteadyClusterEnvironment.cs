using System.Diagnostics.CodeAnalysis;
using HaAgent.Core.Env;
using HaAgent.Core.Observations;

namespace HaAgent.Benchmarks.Core;

/// <summary>
/// A healthy cluster frozen at one instant: every host's heartbeat and VM report are allocated once and delivered
/// again each step, storage sequences advance, so a step measures only the coordinator.
/// </summary>
public sealed class SteadyClusterEnvironment : IHaEnvironment
{
    private readonly Observation[] _round;
    private readonly Dictionary<string, int> _index;
    private readonly long[] _incarnations;
    private int _next;
    private long _sequence;

    public SteadyClusterEnvironment(IReadOnlyList<string> hostIds, IReadOnlyDictionary<string, string[]> vmsByHost, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(hostIds);
        ArgumentNullException.ThrowIfNull(vmsByHost);
        Time = new FixedTimeProvider(now);
        _index = new Dictionary<string, int>(hostIds.Count, StringComparer.Ordinal);
        _incarnations = new long[hostIds.Count];
        _round = new Observation[hostIds.Count * 2];
        for (var i = 0; i < hostIds.Count; i++)
        {
            var id = hostIds[i];
            _index[id] = i;
            _incarnations[i] = 1;
            _round[2 * i] = new NetworkHeartbeat(now, id, 1);
            _round[(2 * i) + 1] = new VmReport(now, id, 1, vmsByHost.TryGetValue(id, out var vms) ? vms : []);
        }
        _next = _round.Length;
    }

    public TimeProvider Time { get; }

    public long Epoch => 1;

    public int Audits { get; private set; }

    /// <summary>Makes the next step receive one heartbeat and one VM report from every host.</summary>
    public void DeliverRound()
    {
        _next = 0;
        _sequence++;
    }

    public bool TryTakeObservation([NotNullWhen(true)] out Observation? observation)
    {
        if (_next < _round.Length)
        {
            observation = _round[_next++];
            return true;
        }
        observation = null;
        return false;
    }

    public bool TryReadStorageHeartbeat(string hostId, out StorageHeartbeat heartbeat)
    {
        var i = _index[hostId];
        heartbeat = new StorageHeartbeat(hostId, _incarnations[i], _sequence, Time.GetUtcNow(), 1);
        return true;
    }

    public void OrderFence(FenceOrder order) => throw new InvalidOperationException("a healthy cluster orders no fence");

    public void OrderUnfence(UnfenceOrder order) => throw new InvalidOperationException("a healthy cluster orders no unfence");

    public void OrderStart(VmStartOrder order) => throw new InvalidOperationException("a healthy cluster orders no start");

    public void OrderStop(VmStopOrder order) => throw new InvalidOperationException("a healthy cluster orders no stop");

    public void Audit(AuditRecord record) => Audits++;
}
