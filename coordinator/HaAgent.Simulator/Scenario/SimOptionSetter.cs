using System.Globalization;

namespace HaAgent.Simulator.Scenario;

/// <summary>The <c>option key=value</c> keys of a cluster file: coordinator thresholds and simulated-world timings.</summary>
internal static class SimOptionSetter
{
    private static readonly string[] Keys =
    [
        "suspect-after", "dead-after", "storage-stall-after", "fence-timeout", "fence-attempts", "fence-backoff",
        "storm-share", "order-timeout", "max-restarts", "restart-window", "max-starts-per-host",
        "tick", "end", "fence-duration", "start-duration", "stop-duration", "unfence-duration", "epoch",
    ];

    public static void Set(ScenarioLine line, SimCluster cluster, string key, string value)
    {
        var c = cluster.Coordinator;
        var s = cluster.Settings;
        switch (key)
        {
            case "suspect-after": c.NetworkSuspectAfter = Duration(line, key, value); break;
            case "dead-after": c.NetworkDeadAfter = Duration(line, key, value); break;
            case "storage-stall-after": c.StorageStallAfter = Duration(line, key, value); break;
            case "fence-timeout": c.FenceTimeout = Duration(line, key, value); break;
            case "fence-attempts": c.MaxFenceAttemptsPerRound = (int)Number(line, key, value); break;
            case "fence-backoff": c.FenceRoundBackoff = Duration(line, key, value); break;
            case "storm-share":
                c.FencingStormShare = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var share)
                    ? share
                    : throw line.Error($"{key}: expected a fraction like 0.5, got '{value}'");
                break;
            case "order-timeout": c.OrderTimeout = Duration(line, key, value); break;
            case "max-restarts": c.MaxRestartsPerVm = (int)Number(line, key, value); break;
            case "restart-window": c.RestartWindow = Duration(line, key, value); break;
            case "max-starts-per-host": c.MaxStartsPerHost = (int)Number(line, key, value); break;
            case "tick": s.Tick = Duration(line, key, value); break;
            case "end": s.End = Duration(line, key, value); break;
            case "fence-duration": s.FenceDuration = Duration(line, key, value); break;
            case "start-duration": s.StartDuration = Duration(line, key, value); break;
            case "stop-duration": s.StopDuration = Duration(line, key, value); break;
            case "unfence-duration": s.UnfenceDuration = Duration(line, key, value); break;
            case "epoch": s.Epoch = Number(line, key, value); break;
            default: throw line.Error($"unknown option '{key}'; expected one of {string.Join(", ", Keys)}");
        }
    }

    private static TimeSpan Duration(ScenarioLine line, string key, string value) =>
        SimValues.TryDuration(value, out var span) ? span : throw line.Error($"{key}: expected a duration like 10s or 1500ms, got '{value}'");

    private static long Number(ScenarioLine line, string key, string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw line.Error($"{key}: expected a non-negative number, got '{value}'");
}
