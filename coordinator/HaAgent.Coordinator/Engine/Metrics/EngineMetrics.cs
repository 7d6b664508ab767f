using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HaAgent.Core.Env;
using HaAgent.Core.Model;

namespace HaAgent.Coordinator.Engine.Metrics;

/// <summary>
/// What the engine decided, for /metrics. Counted from the committed audit records of each step (so a metric never
/// shows a decision the audit log does not hold), and verdicts from the core after each step.
/// Detection-to-restart runs from the moment a host left "healthy" (suspect) to the moment one of the VMs it held
/// was confirmed running elsewhere.
/// </summary>
internal sealed class EngineMetrics
{
    private static readonly string[] StateNames = [.. Enum.GetValues<HostState>().Select(static s => JsonNamingPolicy.KebabCaseLower.ConvertName(s.ToString()))];

    private readonly ConcurrentDictionary<(string Method, string Outcome), long> _fences = new();
    private readonly ConcurrentDictionary<string, long> _restarts = new(StringComparer.Ordinal);
    private readonly Histogram _detectionToRestart = new(
        "haagent_detection_to_restart_seconds",
        "From a host declared suspect to one of its VMs confirmed running on another host.",
        [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600]);
    private readonly Histogram _iteration = new(
        "haagent_engine_iteration_seconds",
        "Duration of one decision step of the core (DoOneIteration).",
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);

    // Touched only by the engine loop (RecordDecisions), never by a scrape.
    private readonly Dictionary<string, DateTimeOffset> _hostDetectedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _vmDetectedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fenceMethod = new(StringComparer.Ordinal);

    private int[]? _verdicts;
    private EngineInventory? _inventory;
    private long _leaderEpoch;

    public long DetectionToRestartCount => _detectionToRestart.Count;

    public (long Count, double SumSeconds) Iterations => (_iteration.Count, _iteration.Sum);

    public void SetLeaderEpoch(long epoch) => Volatile.Write(ref _leaderEpoch, epoch);

    public void ObserveIteration(TimeSpan duration) => _iteration.Observe(duration.TotalSeconds);

    public void SetVerdicts(int[] countsByState) => Volatile.Write(ref _verdicts, countsByState);

    public void ClearVerdicts()
    {
        Volatile.Write(ref _verdicts, null);
        Volatile.Write(ref _inventory, null);
    }

    /// <summary>Hosts and VMs as the leading engine holds them; null when this instance's engine does not lead (or has not loaded yet).</summary>
    public EngineInventory? Inventory => Volatile.Read(ref _inventory);

    public void SetInventory(EngineInventory inventory) => Volatile.Write(ref _inventory, inventory);

    public long Fences(string method, string outcome) => _fences.TryGetValue((method, outcome), out var n) ? n : 0;

    public long Restarts(string outcome) => _restarts.TryGetValue(outcome, out var n) ? n : 0;

    /// <summary>Counts one committed step's records (engine loop only).</summary>
    public void RecordDecisions(IReadOnlyList<AuditRecord> records)
    {
        foreach (var record in records)
        {
            var id = SubjectId(record.Subject);
            switch (record.Kind)
            {
                case AuditKind.StatusChange when record.Subject.StartsWith("host ", StringComparison.Ordinal):
                    if (record.Decision.EndsWith("=> healthy", StringComparison.Ordinal))
                    {
                        _hostDetectedAt.Remove(id);
                    }
                    else if (record.Decision.EndsWith("=> suspect", StringComparison.Ordinal) || record.Decision.EndsWith("=> dead", StringComparison.Ordinal)
                             || record.Decision.EndsWith("=> isolated", StringComparison.Ordinal) || record.Decision.EndsWith("=> self-fenced", StringComparison.Ordinal))
                    {
                        _hostDetectedAt.TryAdd(id, record.Time);
                    }
                    break;
                case AuditKind.SelfFenced:
                    _hostDetectedAt.TryAdd(id, record.Time);
                    break;
                case AuditKind.FenceOrdered:
                    _fenceMethod[id] = Method(record.Decision);
                    break;
                case AuditKind.FenceVerified:
                    Count(_fences, (FenceMethod(id), "verified"));
                    break;
                case AuditKind.FenceAttemptFailed:
                    Count(_fences, (FenceMethod(id), "failed"));
                    break;
                case AuditKind.CannotFence:
                    Count(_fences, (FenceMethod(id), "cannot-fence"));
                    break;
                case AuditKind.VmReleased:
                    if (FromHost(record.Decision) is { } from && _hostDetectedAt.TryGetValue(from, out var detected))
                    {
                        _vmDetectedAt[id] = detected;
                    }
                    break;
                case AuditKind.VmStartOrdered:
                    Count(_restarts, "ordered");
                    break;
                case AuditKind.VmStarted:
                    if (record.Decision.StartsWith("running on", StringComparison.Ordinal))
                    {
                        Count(_restarts, "succeeded");
                    }
                    if (_vmDetectedAt.Remove(id, out var since))
                    {
                        _detectionToRestart.Observe(Math.Max(0, (record.Time - since).TotalSeconds));
                    }
                    break;
                case AuditKind.VmStartFailed:
                    Count(_restarts, "failed");
                    break;
                case AuditKind.VmUnplaceable:
                    Count(_restarts, "unplaceable");
                    break;
                case AuditKind.RestartLimited:
                    Count(_restarts, "limited");
                    break;
                default:
                    break;
            }
        }
    }

    public void Render(StringBuilder text)
    {
        Header(text, "haagent_leader_epoch", "gauge", "The leadership epoch this instance's engine decides under; 0 when it does not lead.");
        text.Append("haagent_leader_epoch ").Append(Volatile.Read(ref _leaderEpoch).ToString(CultureInfo.InvariantCulture)).Append('\n');
        Header(text, "haagent_hosts_by_state", "gauge", "Hosts by the decision core's verdict (only on the leader).");
        if (Volatile.Read(ref _verdicts) is { } verdicts)
        {
            for (var i = 0; i < verdicts.Length; i++)
            {
                text.Append("haagent_hosts_by_state{state=\"").Append(StateNames[i]).Append("\"} ")
                    .Append(verdicts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        Header(text, "haagent_fences_total", "counter", "Fence attempts by method and outcome (verified, failed, cannot-fence).");
        foreach (var ((method, outcome), count) in _fences.OrderBy(static f => f.Key.Method, StringComparer.Ordinal).ThenBy(static f => f.Key.Outcome, StringComparer.Ordinal))
        {
            text.Append("haagent_fences_total{method=\"").Append(method).Append("\",outcome=\"").Append(outcome).Append("\"} ")
                .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        Header(text, "haagent_restarts_total", "counter", "VM restarts by outcome (ordered, succeeded, failed, unplaceable, limited).");
        foreach (var (outcome, count) in _restarts.OrderBy(static r => r.Key, StringComparer.Ordinal))
        {
            text.Append("haagent_restarts_total{outcome=\"").Append(outcome).Append("\"} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        _detectionToRestart.Render(text);
        _iteration.Render(text);
    }

    private string FenceMethod(string hostId) => _fenceMethod.TryGetValue(hostId, out var method) ? method : "none";

    private static string Method(string decision)
    {
        var ceph = decision.Contains("ceph-blocklist", StringComparison.Ordinal);
        var iscsi = decision.Contains("iscsi-preempt", StringComparison.Ordinal);
        return ceph && iscsi ? "ceph+iscsi" : ceph ? "ceph" : iscsi ? "iscsi" : "none";
    }

    /// <summary>"released from h2: may restart elsewhere" → h2.</summary>
    private static string? FromHost(string decision)
    {
        const string Prefix = "released from ";
        if (!decision.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = decision.IndexOf(':', Prefix.Length);
        return end < 0 ? null : decision[Prefix.Length..end];
    }

    private static string SubjectId(string subject)
    {
        var space = subject.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? subject : subject[(space + 1)..];
    }

    private static void Count<TKey>(ConcurrentDictionary<TKey, long> counters, TKey key)
        where TKey : notnull => counters.AddOrUpdate(key, 1, static (_, n) => n + 1);

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
}
