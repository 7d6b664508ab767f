using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using HaAgent.Ctl.Nagios;

namespace HaAgent.Ctl.Checks;

/// <summary>
/// <c>check cluster</c>: asks one coordinator whether the HA control plane can act — store reachable and a leader
/// known (/readyz), hosts in maintenance (/v1/hosts), VMs not HA-protected (/v1/vms), hosts the engine counts as
/// failed or being fenced (/metrics, when the coordinator exports host states).
/// </summary>
/// <remarks>
/// Exit codes follow the plugin guidelines: the coordinator is the monitored service, so "unreachable" and
/// "timed out" are CRITICAL (like check_http); a token the coordinator refuses (401/403) is UNKNOWN, because the
/// check could not see the cluster at all — a monitoring misconfiguration, not a cluster fault.
/// </remarks>
internal static class ClusterCheck
{
    public const string Service = "HAAGENT CLUSTER";

    /// <summary>Host states (label values of haagent_hosts_by_state or haagent_hosts) that mean a host is down or being fenced.</summary>
    private static readonly string[] FailedStates = ["dead", "fencing", "fenced", "isolated", "failed"];

    /// <summary>Host states that mean "late, not decided yet".</summary>
    private static readonly string[] SuspectStates = ["suspect"];

    public static async Task<CheckReport> RunAsync(ClusterCheckOptions options, CancellationToken cancellationToken)
    {
        var report = new CheckReport(Service);
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var client = new CoordinatorClient(options.Url, options.Token, options.Timeout, options.Trust);
        try
        {
            if (await CheckReadyAsync(client, report, deadline.Token).ConfigureAwait(false))
            {
                await CheckHostsAsync(client, options, report, deadline.Token).ConfigureAwait(false);
                await CheckVmsAsync(client, options, report, deadline.Token).ConfigureAwait(false);
                await CheckHostStatesAsync(client, options, report, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (ApiStatusException e) when (e.IsAuthFailure)
        {
            report.Add(NagiosStatus.Unknown, $"coordinator {options.Url} refused the token ({e.Message}); check --token-file and the token's role (viewer or higher)");
        }
        catch (ApiStatusException e)
        {
            report.Add(NagiosStatus.Critical, $"coordinator {options.Url}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            report.Add(NagiosStatus.Critical, $"coordinator {options.Url} did not answer within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException e)
        {
            report.Add(NagiosStatus.Critical, client.Trust.LastRefusal is { } refusal
                ? $"coordinator {options.Url} TLS refused: {refusal}"
                : $"coordinator {options.Url} unreachable: {Describe(e)}");
        }
        report.Perf(new PerfDatum("time", Math.Round(clock.Elapsed.TotalSeconds, 3), "s", Min: 0));
        return report;
    }

    /// <returns>False when the rest of the check cannot say anything useful (store down).</returns>
    private static async Task<bool> CheckReadyAsync(CoordinatorClient client, CheckReport report, CancellationToken cancellationToken)
    {
        var (status, body) = await client.GetJsonAsync("/readyz", cancellationToken).ConfigureAwait(false);
        using (body)
        {
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                report.Add(NagiosStatus.Critical, "coordinator not ready: its store does not answer");
                report.Perf(new PerfDatum("leader", 0, Min: 0, Max: 1));
                return false;
            }
            if (status != HttpStatusCode.OK || body is null)
            {
                throw new ApiStatusException("/readyz", status);
            }
            var root = body.RootElement;
            var instance = root.TryGetProperty("instance", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : "?";
            if (!root.TryGetProperty("leader", out var leader) || leader.ValueKind != JsonValueKind.Object)
            {
                report.Add(NagiosStatus.Critical, $"no leader elected (asked {instance}): nothing can be fenced or restarted");
                report.Perf(new PerfDatum("leader", 0, Min: 0, Max: 1));
                return true;
            }
            var leaderId = leader.TryGetProperty("instanceId", out var id) ? id.GetString() : "?";
            var epoch = leader.TryGetProperty("epoch", out var e) && e.TryGetInt64(out var n) ? n : 0;
            report.Ok(string.Create(CultureInfo.InvariantCulture, $"leader {leaderId} epoch {epoch}"));
            report.Perf(new PerfDatum("leader", 1, Min: 0, Max: 1));
            return true;
        }
    }

    private static async Task CheckHostsAsync(CoordinatorClient client, ClusterCheckOptions options, CheckReport report, CancellationToken cancellationToken)
    {
        var hosts = await client.ListAllAsync("hosts", cancellationToken).ConfigureAwait(false);
        var maintenance = hosts.Count(static h => h.TryGetProperty("maintenance", out var m) && m.ValueKind == JsonValueKind.True);
        report.Threshold(hosts.Count, options.HostsWarning, options.HostsCritical, $"{hosts.Count} hosts");
        report.Threshold(maintenance, options.MaintenanceWarning, options.MaintenanceCritical, $"{maintenance} in maintenance");
        report.Perf(new PerfDatum("hosts", hosts.Count, Warning: options.HostsWarning, Critical: options.HostsCritical, Min: 0));
        report.Perf(new PerfDatum("maintenance", maintenance, Warning: options.MaintenanceWarning, Critical: options.MaintenanceCritical, Min: 0, Max: hosts.Count));
    }

    private static async Task CheckVmsAsync(CoordinatorClient client, ClusterCheckOptions options, CheckReport report, CancellationToken cancellationToken)
    {
        var vms = await client.ListAllAsync("vms", cancellationToken).ConfigureAwait(false);
        var protectedCount = vms.Count(static v => v.TryGetProperty("protected", out var p) && p.ValueKind == JsonValueKind.True);
        var unprotected = vms.Count - protectedCount;
        report.Ok($"{vms.Count} VMs, {protectedCount} protected");
        report.Threshold(unprotected, options.UnprotectedWarning, options.UnprotectedCritical, $"{unprotected} unprotected");
        report.Perf(new PerfDatum("vms", vms.Count, Min: 0));
        report.Perf(new PerfDatum("protected", protectedCount, Min: 0, Max: vms.Count));
        report.Perf(new PerfDatum("unprotected", unprotected, Warning: options.UnprotectedWarning, Critical: options.UnprotectedCritical, Min: 0, Max: vms.Count));
    }

    /// <summary>
    /// Host liveness as the engine sees it. Today's coordinator exports only configured states (active/maintenance);
    /// when it exports engine states (haagent_hosts_by_state, or haagent_hosts with states such as dead/fencing)
    /// they are counted here; otherwise this part is skipped and says so.
    /// </summary>
    private static async Task CheckHostStatesAsync(CoordinatorClient client, ClusterCheckOptions options, CheckReport report, CancellationToken cancellationToken)
    {
        var (status, text) = await client.GetTextAsync("/metrics", cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new ApiStatusException("/metrics", status);
        }
        var states = PrometheusText.Samples(text, "haagent_hosts_by_state", "state") ?? PrometheusText.Samples(text, "haagent_hosts", "state");
        if (states is null || !states.Keys.Any(k => FailedStates.Contains(k, StringComparer.OrdinalIgnoreCase) || SuspectStates.Contains(k, StringComparer.OrdinalIgnoreCase) || k.Equals("healthy", StringComparison.OrdinalIgnoreCase)))
        {
            report.Ok("host liveness not exported by this coordinator");
            return;
        }
        var failed = (int)states.Where(s => FailedStates.Contains(s.Key, StringComparer.OrdinalIgnoreCase)).Sum(static s => s.Value);
        var suspect = (int)states.Where(s => SuspectStates.Contains(s.Key, StringComparer.OrdinalIgnoreCase)).Sum(static s => s.Value);
        report.Threshold(failed, options.FailedWarning, options.FailedCritical, $"{failed} hosts dead or fenced");
        if (suspect > 0)
        {
            report.Add(NagiosStatus.Warning, $"{suspect} hosts suspect (heartbeats late)");
        }
        report.Perf(new PerfDatum("failed", failed, Warning: options.FailedWarning, Critical: options.FailedCritical, Min: 0));
        report.Perf(new PerfDatum("suspect", suspect, Min: 0));
    }

    private static string Describe(HttpRequestException e) => e.InnerException switch
    {
        SocketException s => s.Message,
        IOException io => io.Message,
        _ => e.Message,
    };
}
