namespace HaAgent.Core.Coordination;

/// <summary>The coordinator's thresholds. Defaults suit a LAN with heartbeats every second.</summary>
public sealed class CoordinatorOptions
{
    /// <summary>A host whose last network heartbeat is older than this becomes suspect.</summary>
    public TimeSpan NetworkSuspectAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A suspect host silent for longer than this is judged isolated (storage advancing) or dead (storage silent).</summary>
    public TimeSpan NetworkDeadAfter { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>A storage heartbeat whose sequence has not advanced for longer than this is stalled.</summary>
    public TimeSpan StorageStallAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fence attempt without a proven result after this long has failed; the next peer is tried.</summary>
    public TimeSpan FenceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts (each through a different healthy peer) before a round ends in "cannot fence".</summary>
    public int MaxFenceAttemptsPerRound { get; set; } = 3;

    /// <summary>After "cannot fence", a new round starts this much later.</summary>
    public TimeSpan FenceRoundBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>When more than this share of the watched hosts is silent at once, the observer is suspected and nothing is fenced.</summary>
    public double FencingStormShare { get; set; } = 0.5;

    /// <summary>The fencing-storm guard applies only to clusters with at least this many watched hosts.</summary>
    public int FencingStormMinHosts { get; set; } = 3;

    /// <summary>A start (or stop, or unfence) order unanswered for this long is checked against agent reports and re-issued.</summary>
    public TimeSpan OrderTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many restarts of one VM within <see cref="RestartWindow"/>.</summary>
    public int MaxRestartsPerVm { get; set; } = 3;

    /// <summary>The window of <see cref="MaxRestartsPerVm"/>.</summary>
    public TimeSpan RestartWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Passed to the planner: at most this many VMs started on one host by one plan.</summary>
    public int MaxStartsPerHost { get; set; } = 4;

    /// <summary>Throws naming the first setting that cannot work.</summary>
    public void Validate()
    {
        Require(NetworkSuspectAfter > TimeSpan.Zero, nameof(NetworkSuspectAfter), "must be positive");
        Require(NetworkDeadAfter > NetworkSuspectAfter, nameof(NetworkDeadAfter), "must exceed NetworkSuspectAfter");
        Require(StorageStallAfter > TimeSpan.Zero, nameof(StorageStallAfter), "must be positive");
        Require(FenceTimeout > TimeSpan.Zero, nameof(FenceTimeout), "must be positive");
        Require(MaxFenceAttemptsPerRound >= 1, nameof(MaxFenceAttemptsPerRound), "must be at least 1");
        Require(FenceRoundBackoff > TimeSpan.Zero, nameof(FenceRoundBackoff), "must be positive");
        Require(FencingStormShare is > 0 and <= 1, nameof(FencingStormShare), "must be in (0, 1]");
        Require(OrderTimeout > TimeSpan.Zero, nameof(OrderTimeout), "must be positive");
        Require(MaxRestartsPerVm >= 1, nameof(MaxRestartsPerVm), "must be at least 1");
        Require(MaxStartsPerHost >= 1, nameof(MaxStartsPerHost), "must be at least 1");
    }

    private static void Require(bool ok, string key, string what)
    {
        if (!ok)
        {
            throw new ArgumentException($"coordinator option {key} {what}", key);
        }
    }
}
