using System.Globalization;
using System.Text;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine.Metrics;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /metrics in the Prometheus text format 0.0.4. Gauges are counted from the store at scrape time (a scrape every
/// 15-60 s costs one listing), so they are right on every coordinator instance, leader or not.
/// </summary>
internal static class MetricsEndpoints
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", RenderAsync).WithTags("metrics").RequireAuthorization(ApiRoles.ReadPolicy).Produces<string>(contentType: ContentType);

    private static async Task<IResult> RenderAsync(HttpContext context, ApiStore store, ApiRequestCounter requests, CancellationToken cancellationToken)
    {
        var hosts = await store.ListAllAsync(ApiStore.HostsPrefix, ApiJsonContext.Default.HostDocument, cancellationToken);
        var vms = await store.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, cancellationToken);
        var leadership = store.Store.CurrentLeadership;

        var text = new StringBuilder();
        Header(text, "haagent_hosts", "gauge", "Hosts registered with the coordinator, by configured state.");
        var maintenance = hosts.Count(static h => h.Maintenance);
        Sample(text, "haagent_hosts", "state", "active", hosts.Count - maintenance);
        Sample(text, "haagent_hosts", "state", "maintenance", maintenance);
        Header(text, "haagent_vms", "gauge", "VMs known to the coordinator, by HA protection.");
        var protectedCount = vms.Count(static v => v.Protected);
        Sample(text, "haagent_vms", "protection", "protected", protectedCount);
        Sample(text, "haagent_vms", "protection", "unprotected", vms.Count - protectedCount);
        Header(text, "haagent_leader", "gauge", "1 when this coordinator instance leads.");
        text.Append("haagent_leader ").Append(leadership is { IsLost: false } ? '1' : '0').Append('\n');
        Header(text, "haagent_api_requests_total", "counter", "API requests answered, by HTTP status code.");
        foreach (var (status, count) in requests.Snapshot())
        {
            Sample(text, "haagent_api_requests_total", "status", status.ToString(CultureInfo.InvariantCulture), count);
        }
        // The engine's decisions (verdicts, fences, restarts, timings), when the engine is part of this service.
        context.RequestServices.GetService<EngineMetrics>()?.Render(text);
        // The agent endpoint's refusals and order queue counters, when it is part of this service.
        context.RequestServices.GetService<AgentEndpointMetrics>()?.WritePrometheus(text);
        return Results.Text(text.ToString(), ContentType);
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>Label values here are fixed words or numbers, so they need no escaping.</summary>
    private static void Sample(StringBuilder text, string name, string label, string value, long count) =>
        text.Append(name).Append('{').Append(label).Append("=\"").Append(value).Append("\"} ")
            .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
