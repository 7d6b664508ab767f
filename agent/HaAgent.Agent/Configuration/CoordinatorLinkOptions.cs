namespace HaAgent.Agent.Configuration;

/// <summary>The agent ↔ coordinator link (TRANSPORT.md): the shared secret and every bound of the HTTP exchange.</summary>
internal sealed class CoordinatorLinkOptions
{
    /// <summary>
    /// File holding this host's shared secret (≥ 32 bytes, raw or base64); the same bytes the coordinator holds for this
    /// host. Never logged. During a key rollover <c>&lt;SecretFile&gt;.next</c> holds the next secret: the agent then signs
    /// with it and accepts answers signed with either (both files are re-read every few seconds; TRANSPORT.md).
    /// </summary>
    public string SecretFile { get; set; } = "/etc/haagent/agent.key";

    /// <summary>
    /// PEM bundle of the CA certificate(s) an <c>https://</c> coordinator's certificate must chain to (instead of the
    /// system trust store); the certificate must also name the endpoint's host or IP. Revocation is not checked.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// SHA-256 fingerprints (hex, ':' allowed) of coordinator certificates trusted as they are, for any name, while
    /// within their validity dates: a self-signed certificate without a CA. With <see cref="CaFile"/> too, either suffices.
    /// </summary>
    public List<string> PinnedCertificates { get; set; } = [];

    /// <summary>
    /// "1.1" (default): HTTP/1.1 everywhere — measured as cheap as HTTP/2 over TLS and cheaper in plain (notes/tlsrot.md).
    /// "2": HTTP/2 over TLS when the coordinator offers it (ALPN), else HTTP/1.1; plain http:// stays HTTP/1.1 (one
    /// connection per agent instead of two: fewer TLS sessions on a big coordinator). "2-prior-knowledge": HTTP/2
    /// without TLS (h2c), only against an HTTP/2-only Kestrel port.
    /// </summary>
    public string HttpVersion { get; set; } = "1.1";

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
