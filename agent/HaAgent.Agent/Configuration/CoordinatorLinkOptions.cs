namespace HaAgent.Agent.Configuration;

/// <summary>The agent ↔ coordinator link (TRANSPORT.md): the shared secret and every bound of the HTTP exchange.</summary>
internal sealed class CoordinatorLinkOptions
{
    /// <summary>File holding this host's shared secret (≥ 32 bytes, raw or base64); the same bytes the coordinator holds for this host. Never logged.</summary>
    public string SecretFile { get; set; } = "/etc/haagent/agent.key";

    /// <summary>Bound on a TCP connect to one coordinator endpoint; past it the next endpoint is tried.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound on one message exchange (hello, heartbeat, report, result) with one endpoint.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on one order long poll; must exceed the coordinator's Agents:PollSeconds (default 20 s) by a margin.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A full VM report is sent this often even without a change.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a VM change, wait this long for further changes before sending one report for all of them. Default 0:
    /// a burst folds anyway, as changes that arrive while a report is being sent go together in the next one; any
    /// wait here is added to every change's latency (50 ms made the event → report p99 61 ms against a 50 ms target).
    /// </summary>
    public TimeSpan ReportCoalesce { get; set; } = TimeSpan.Zero;

    /// <summary>Pause before retrying after every endpoint failed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
