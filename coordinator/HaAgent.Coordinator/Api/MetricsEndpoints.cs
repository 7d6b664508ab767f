using System.Globalization;
using System.Text;
using HaAgent.Coordinator.Agents;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Metrics;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /metrics in the Prometheus text format 0.0.4. The inventory gauges (haagent_hosts by configured state,
/// haagent_vms by protection) come from the leading engine's memory — the documents it loaded and every change it
/// applied since — so a scrape costs no store read however many VMs there are (listing 200 000 VM documents per
/// scrape took seconds). An instance whose engine does not lead (a follower, or a leader still loading) leaves them
/// out and says so with haagent_inventory_available 0: scrape every instance and take the leader's. Only a
/// coordinator run without the engine (<c>Engine:Enabled=false</c>, API only) still counts them by listing the
/// documents, as nothing else holds them.
/// </summary>
internal static class MetricsEndpoints
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", RenderAsync).WithTags("metrics").RequireAuthorization(ApiRoles.ReadPolicy).Produces<string>(contentType: ContentType);

    private static async Task<IResult> RenderAsync(HttpContext context, ApiStore store, ApiRequestCounter requests, CancellationToken cancellationToken) =>
        Results.Text(await RenderTextAsync(context.RequestServices, store, requests, cancellationToken), ContentType);

    /// <summary>The whole exposition text (also what the big-cluster measurement times).</summary>
    internal static async Task<string> RenderTextAsync(IServiceProvider services, ApiStore store, ApiRequestCounter requests, CancellationToken cancellationToken)
    {
        var leadership = store.Store.CurrentLeadership;
        var engine = services.GetService<EngineMetrics>();
        var engineEnabled = services.GetService<IOptions<EngineOptions>>()?.Value.Enabled ?? false;
        var inventory = engine?.Inventory;
        if (inventory is null && (engine is null || !engineEnabled))
        {
            inventory = await ScanAsync(store, cancellationToken);
        }

        var text = new StringBuilder();
        Header(text, "haagent_inventory_available", "gauge", "1 when this instance reports haagent_hosts and haagent_vms (its engine leads, or it runs without one).");
        text.Append("haagent_inventory_available ").Append(inventory is null ? '0' : '1').Append('\n');
        if (inventory is not null)
        {
            Header(text, "haagent_hosts", "gauge", "Hosts registered with the coordinator, by configured state.");
            Sample(text, "haagent_hosts", "state", "active", inventory.HostsActive);
            Sample(text, "haagent_hosts", "state", "maintenance", inventory.HostsMaintenance);
            Header(text, "haagent_vms", "gauge", "VMs known to the coordinator, by HA protection.");
            Sample(text, "haagent_vms", "protection", "protected", inventory.VmsProtected);
            Sample(text, "haagent_vms", "protection", "unprotected", inventory.VmsUnprotected);
        }
        Header(text, "haagent_leader", "gauge", "1 when this coordinator instance leads.");
        text.Append("haagent_leader ").Append(leadership is { IsLost: false } ? '1' : '0').Append('\n');
        Header(text, "haagent_api_requests_total", "counter", "API requests answered, by HTTP status code.");
        foreach (var (status, count) in requests.Snapshot())
        {
            Sample(text, "haagent_api_requests_total", "status", status.ToString(CultureInfo.InvariantCulture), count);
        }
        // The engine's decisions (verdicts, fences, restarts, timings), when the engine is part of this service.
        engine?.Render(text);
        // The agent endpoint's refusals and order queue counters, when it is part of this service.
        services.GetService<AgentEndpointMetrics>()?.WritePrometheus(text);
        return text.ToString();
    }

    /// <summary>Without an engine: count by listing every host and VM document (one pass over the store).</summary>
    internal static async Task<EngineInventory> ScanAsync(ApiStore store, CancellationToken cancellationToken)
    {
        var hosts = await store.ListAllAsync(ApiStore.HostsPrefix, ApiJsonContext.Default.HostDocument, cancellationToken);
        var vms = await store.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, cancellationToken);
        var maintenance = hosts.Count(static h => h.Maintenance);
        var protectedCount = vms.Count(static v => v.Protected);
        return new EngineInventory(hosts.Count - maintenance, maintenance, protectedCount, vms.Count - protectedCount);
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>Label values here are fixed words or numbers, so they need no escaping.</summary>
    private static void Sample(StringBuilder text, string name, string label, string value, long count) =>
        text.Append(name).Append('{').Append(label).Append("=\"").Append(value).Append("\"} ")
            .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
