using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using HaAgent.Ctl.Nagios;

namespace HaAgent.Ctl.Checks;

/// <summary>
/// <c>check agent</c>, run on a hypervisor: the agent's persisted state (a self-fence not yet acknowledged by a
/// coordinator is CRITICAL: this host destroyed its HA VMs), its systemd unit, and whether this host reaches a
/// coordinator (no reachable coordinator is CRITICAL: the agent self-fences after Intervals:SelfFenceTimeout).
/// </summary>
internal static class AgentCheck
{
    public const string Service = "HAAGENT AGENT";
    public const string DefaultConfigFile = "/etc/haagent/agent.json";
    public const string DefaultStateFile = "/var/lib/haagent/agent-state.json";
    public const string DefaultUnit = "haagent-agent.service";

    /// <summary>Same leniency as the agent's own config loader (Microsoft.Extensions.Configuration.Json).</summary>
    private static readonly JsonDocumentOptions ConfigJson = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static async Task<CheckReport> RunAsync(AgentCheckOptions options, CancellationToken cancellationToken)
    {
        var report = new CheckReport(Service);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);

        var config = ReadConfig(options.ConfigFile, report);
        var stateFile = options.StateFile ?? ConfigString(config, "StateFile") ?? DefaultStateFile;
        CheckState(stateFile, report);
        if (options.Unit is not null)
        {
            await CheckUnitAsync(options.Unit, report, deadline.Token).ConfigureAwait(false);
        }
        if (options.CheckCoordinator && config is not null)
        {
            await CheckCoordinatorsAsync(config, options.Timeout, report, deadline.Token).ConfigureAwait(false);
        }
        config?.Dispose();
        return report;
    }

    private static JsonDocument? ReadConfig(string path, CheckReport report)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), ConfigJson);
        }
        catch (FileNotFoundException)
        {
            report.Add(NagiosStatus.Unknown, $"config {path} does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            report.Add(NagiosStatus.Unknown, $"config {path} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            report.Add(NagiosStatus.Unknown, $"config {path} is not readable by this user (it is root:root 0640; run the check as root or via sudo)");
        }
        catch (JsonException e)
        {
            report.Add(NagiosStatus.Critical, $"config {path} is not valid JSON ({e.Message}): the agent cannot start");
        }
        return null;
    }

    private static void CheckState(string path, CheckReport report)
    {
        JsonDocument state;
        try
        {
            state = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            report.Ok("no state file yet (no order accepted, no self-fence)");
            report.Perf(new PerfDatum("pending_self_fences", 0, Min: 0));
            return;
        }
        catch (UnauthorizedAccessException)
        {
            report.Add(NagiosStatus.Unknown, $"state file {path} is not readable by this user");
            return;
        }
        catch (JsonException e)
        {
            report.Add(NagiosStatus.Critical, $"state file {path} is corrupt ({e.Message}): the agent refuses to start on it");
            return;
        }
        using (state)
        {
            var root = state.RootElement;
            var token = Property(root, "highestToken") is { ValueKind: JsonValueKind.Number } t && t.TryGetInt64(out var n) ? n : 0;
            var pending = Property(root, "pendingSelfFences") is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToList() : [];
            report.Perf(new PerfDatum("pending_self_fences", pending.Count, Critical: null, Min: 0));
            report.Perf(new PerfDatum("highest_token", token, Min: 0));
            if (pending.Count == 0)
            {
                report.Ok(string.Create(CultureInfo.InvariantCulture, $"not self-fenced, fencing token {token}"));
                return;
            }
            var last = pending[^1];
            var at = Property(last, "at")?.GetString() ?? "?";
            var reason = Property(last, "reason")?.GetString() ?? "?";
            var stopped = Count(last, "stoppedVms");
            var killed = Count(last, "killed");
            var failed = Count(last, "failed");
            report.Add(NagiosStatus.Critical, string.Create(CultureInfo.InvariantCulture,
                $"self-fenced at {at} ({reason}): {stopped} VMs stopped, {killed} killed, {failed} failed; {pending.Count} self-fence(s) not yet acknowledged by a coordinator"));
        }
    }

    private static async Task CheckUnitAsync(string unit, CheckReport report, CancellationToken cancellationToken)
    {
        if (!Directory.Exists("/run/systemd/system"))
        {
            report.Ok("systemd not running, unit not checked");
            return;
        }
        string state;
        try
        {
            state = await SystemctlIsActiveAsync(unit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            report.Add(NagiosStatus.Unknown, $"systemctl failed: {e.Message}");
            return;
        }
        var status = state switch
        {
            "active" => NagiosStatus.Ok,
            "activating" or "reloading" or "deactivating" => NagiosStatus.Warning,
            "inactive" or "failed" => NagiosStatus.Critical,
            _ => NagiosStatus.Unknown,
        };
        report.Add(status, $"{unit} {state}");
    }

    private static async Task<string> SystemctlIsActiveAsync(string unit, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("systemctl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("is-active");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(unit);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start systemctl");
        try
        {
            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return output.Trim();
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            return "timed out";
        }
    }

    private static async Task CheckCoordinatorsAsync(JsonDocument config, TimeSpan timeout, CheckReport report, CancellationToken cancellationToken)
    {
        var endpoints = Property(config.RootElement, "CoordinatorEndpoints") is { ValueKind: JsonValueKind.Array } array
            ? array.EnumerateArray().Where(static e => e.ValueKind == JsonValueKind.String).Select(static e => e.GetString()!).ToList()
            : [];
        if (endpoints.Count == 0)
        {
            report.Add(NagiosStatus.Critical, "config lists no CoordinatorEndpoints: the agent cannot start");
            return;
        }
        // Probe as the agent connects: its Coordinator:CaFile / PinnedCertificates decide whether an https endpoint is trusted.
        CoordinatorTrust trust;
        var link = Property(config.RootElement, "Coordinator");
        try
        {
            var pins = link is { } section && Property(section, "PinnedCertificates") is { ValueKind: JsonValueKind.Array } pinned
                ? pinned.EnumerateArray().Where(static e => e.ValueKind == JsonValueKind.String).Select(static e => e.GetString()!).ToList()
                : [];
            var caFile = link is { } withCa && Property(withCa, "CaFile") is { ValueKind: JsonValueKind.String } ca ? ca.GetString() : null;
            trust = CoordinatorTrust.Create(caFile, pins, "Coordinator:CaFile", "Coordinator:PinnedCertificates");
        }
        catch (UsageException e)
        {
            report.Add(NagiosStatus.Critical, $"config: {e.Message}: the agent cannot start");
            return;
        }
        var probes = endpoints.Select(e => ProbeAsync(e, trust, timeout, cancellationToken)).ToArray();
        var results = await Task.WhenAll(probes).ConfigureAwait(false);
        var reachable = results.Count(static r => r is null);
        report.Perf(new PerfDatum("coordinators_reachable", reachable, Min: 0, Max: endpoints.Count));
        if (reachable == 0)
        {
            report.Add(NagiosStatus.Critical, $"no coordinator reachable ({string.Join(", ", results)}): the agent self-fences its VMs when contact stays lost");
        }
        else if (reachable < endpoints.Count)
        {
            report.Add(NagiosStatus.Warning, $"{reachable}/{endpoints.Count} coordinators reachable ({string.Join(", ", results.Where(static r => r is not null))})");
        }
        else
        {
            report.Ok($"{reachable}/{endpoints.Count} coordinators reachable");
        }
    }

    /// <returns>Null when the endpoint answered /healthz with 200, else why not.</returns>
    private static async Task<string?> ProbeAsync(string endpoint, CoordinatorTrust trust, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return $"{endpoint}: not a URI";
        }
        try
        {
            using var client = new CoordinatorClient(uri, token: null, timeout, trust.Fresh());
            try
            {
                var (status, _) = await client.GetTextAsync("/healthz", cancellationToken).ConfigureAwait(false);
                return status == HttpStatusCode.OK ? null : $"{endpoint}: {(int)status}";
            }
            catch (HttpRequestException e)
            {
                return client.Trust.LastRefusal is { } refusal ? $"{endpoint}: TLS refused: {refusal}" : $"{endpoint}: {e.Message}";
            }
        }
        catch (OperationCanceledException)
        {
            return $"{endpoint}: timed out";
        }
    }

    /// <summary>Configuration keys are case-insensitive for the agent, so they are here too.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }

    private static string? ConfigString(JsonDocument? config, string name) =>
        config is not null && Property(config.RootElement, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static int Count(JsonElement record, string name) =>
        Property(record, name) is { ValueKind: JsonValueKind.Array } array ? array.GetArrayLength() : 0;
}
