using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/hosts: register, update, list, remove, maintenance on/off, drain on/off. Maintenance keeps the host's VMs where
/// they are and places nothing new there; drain is maintenance that also moves its VMs away (cold: stop, restart
/// elsewhere). Ending maintenance ends a drain too; ending a drain ends the maintenance it started. Removal needs the
/// host in maintenance, holding no HA VM and not mid-fence (<see cref="HostRemoval"/>); a fence applied to it is kept.
/// </summary>
internal static class HostEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var hosts = v1.MapGroup("/hosts").WithTags("hosts");
        hosts.MapGet("/", ListAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<Page<HostDocument>>();
        hosts.MapGet("/{id}", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<HostDocument>();
        hosts.MapPost("/", CreateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<HostRequest>("application/json").Produces<HostDocument>(StatusCodes.Status201Created);
        hosts.MapPut("/{id}", UpdateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<HostRequest>("application/json").Produces<HostDocument>();
        hosts.MapDelete("/{id}", DeleteAsync).RequireAuthorization(ApiRoles.WritePolicy).Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status409Conflict);
        hosts.MapPost("/{id}/maintenance", (HttpContext context, string id, ApiStore store) => SetMaintenanceAsync(context, id, true, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<HostDocument>();
        hosts.MapDelete("/{id}/maintenance", (HttpContext context, string id, ApiStore store) => SetMaintenanceAsync(context, id, false, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<HostDocument>();
        hosts.MapPost("/{id}/drain", (HttpContext context, string id, ApiStore store) => SetDrainAsync(context, id, true, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<HostDocument>();
        hosts.MapDelete("/{id}/drain", (HttpContext context, string id, ApiStore store) => SetDrainAsync(context, id, false, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<HostDocument>();
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiStore store)
    {
        if (EndpointSupport.ReadPaging(context.Request, out var limit, out var after) is { } problem)
        {
            return problem;
        }
        var (items, next) = await store.ListAsync(ApiStore.HostsPrefix, after, limit, ApiJsonContext.Default.HostDocument, context.RequestAborted);
        return Results.Json(new Page<HostDocument>([.. items.Select(static i => i.Value with { Version = i.Version })], next), ApiJsonContext.Default.PageHostDocument);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, ApiStore store)
    {
        if (EndpointSupport.CheckId(id) is { } problem)
        {
            return problem;
        }
        var (host, version, _) = await store.GetAsync(ApiStore.HostsPrefix + id, ApiJsonContext.Default.HostDocument, context.RequestAborted);
        if (host is null)
        {
            return ApiProblems.NotFound($"host '{id}'");
        }
        EndpointSupport.SetETag(context.Response, version);
        return Results.Json(host with { Version = version }, ApiJsonContext.Default.HostDocument);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiStore store, IOptions<ApiOptions> options)
    {
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.HostRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        var errors = Validate(request!, routeId: null, out var host);
        if (errors is not null)
        {
            return ApiProblems.Fields(errors);
        }
        var key = ApiStore.HostsPrefix + host!.Id;
        var (version, conflict) = await store.CommitAsync(context.User, "host.register", key, null, Serialize(host), 0, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, version);
        return Results.Created($"/v1/hosts/{host.Id}", host with { Version = version });
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string id, ApiStore store, IOptions<ApiOptions> options)
    {
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return badId;
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return badIfMatch;
        }
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.HostRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        var errors = Validate(request!, id, out var host);
        if (errors is not null)
        {
            return ApiProblems.Fields(errors);
        }
        var key = ApiStore.HostsPrefix + id;
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.HostDocument, context.RequestAborted);
        if (current is null)
        {
            return ApiProblems.NotFound($"host '{id}'");
        }
        if (ifMatch is { } expected && expected != version)
        {
            return EndpointSupport.VersionMismatch(key, expected, version);
        }
        host = host! with { Maintenance = current.Maintenance, Drain = current.Drain };
        return await WriteAsync(context, store, "host.update", key, raw, host, version);
    }

    /// <summary>
    /// Removes a host that is in maintenance, holds no HA VM and is not being fenced; otherwise 409 naming why and
    /// what to do (<see cref="HostRemoval"/>). A fence applied to the host stays recorded (engine audit record): the
    /// host is still cut off from storage, and registered again it starts fenced until its agent lifts the fence.
    /// </summary>
    private static async Task<IResult> DeleteAsync(HttpContext context, string id, ApiStore store)
    {
        var (problem, key, current, version, raw) = await ReadForChangeAsync(context, id, store);
        if (problem is not null)
        {
            return problem;
        }
        if (await HostRemoval.CheckAsync(store, current!, context.RequestAborted) is { } refused)
        {
            return refused;
        }
        var (_, conflict) = await store.CommitAsync(context.User, "host.delete", key, raw, null, version, context.RequestAborted);
        return conflict ?? Results.NoContent();
    }

    private static Task<IResult> SetMaintenanceAsync(HttpContext context, string id, bool on, ApiStore store) =>
        ChangeAsync(context, id, store, on ? "host.maintenance-on" : "host.maintenance-off",
            current => current with { Maintenance = on, Drain = on && current.Drain });

    private static Task<IResult> SetDrainAsync(HttpContext context, string id, bool on, ApiStore store) =>
        ChangeAsync(context, id, store, on ? "host.drain-on" : "host.drain-off",
            current => on ? current with { Maintenance = true, Drain = true } : current with { Maintenance = current.Maintenance && !current.Drain, Drain = false });

    /// <summary>Read, change, commit with the read version as compare-and-swap (a concurrent writer gets 409).</summary>
    private static async Task<IResult> ChangeAsync(HttpContext context, string id, ApiStore store, string action, Func<HostDocument, HostDocument> change)
    {
        var (problem, key, current, version, raw) = await ReadForChangeAsync(context, id, store);
        return problem ?? await WriteAsync(context, store, action, key, raw, change(current!), version);
    }

    /// <summary>The host as stored, after the id and If-Match checks: a problem (400, 404, 409) or the document with its version.</summary>
    private static async Task<(IResult? Problem, string Key, HostDocument? Current, long Version, Store.StoredDocument? Raw)> ReadForChangeAsync(
        HttpContext context, string id, ApiStore store)
    {
        var key = ApiStore.HostsPrefix + id;
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return (badId, key, null, 0, null);
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return (badIfMatch, key, null, 0, null);
        }
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.HostDocument, context.RequestAborted);
        if (current is null)
        {
            return (ApiProblems.NotFound($"host '{id}'"), key, null, 0, null);
        }
        if (ifMatch is { } expected && expected != version)
        {
            return (EndpointSupport.VersionMismatch(key, expected, version), key, null, 0, null);
        }
        return (null, key, current, version, raw);
    }

    private static async Task<IResult> WriteAsync(HttpContext context, ApiStore store, string action, string key, Store.StoredDocument? raw, HostDocument host, long version)
    {
        var (newVersion, conflict) = await store.CommitAsync(context.User, action, key, raw, Serialize(host), version, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, newVersion);
        return Results.Json(host with { Version = newVersion }, ApiJsonContext.Default.HostDocument);
    }

    private static byte[] Serialize(HostDocument host) =>
        JsonSerializer.SerializeToUtf8Bytes(host with { Version = 0 }, ApiJsonContext.Default.HostDocument);

    private static Dictionary<string, string[]>? Validate(HostRequest request, string? routeId, out HostDocument? host)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var id = request.Id ?? routeId;
        if (!ApiValidation.IsId(id))
        {
            errors["id"] = [id is null ? "is required" : ApiValidation.IdRule];
        }
        else if (routeId is not null && !string.Equals(id, routeId, StringComparison.Ordinal))
        {
            errors["id"] = ["must match the id in the path (a host cannot be renamed)"];
        }
        if (request.Cpus is not { } cpus || cpus is < 1 or > ApiValidation.MaxCpus)
        {
            errors["cpus"] = [request.Cpus is null ? "is required" : $"must be > 0 and <= {ApiValidation.MaxCpus}"];
        }
        if (request.MemoryMiB is not { } memory || memory is < 1 or > ApiValidation.MaxMemoryMiB)
        {
            errors["memoryMiB"] = [request.MemoryMiB is null ? "is required" : $"must be > 0 and <= {ApiValidation.MaxMemoryMiB}"];
        }
        CheckLabel(errors, "rack", request.Rack);
        CheckLabel(errors, "power", request.Power);
        CheckLabel(errors, "zone", request.Zone);
        if (errors.Count > 0)
        {
            host = null;
            return errors;
        }
        host = new HostDocument(id!, request.Cpus!.Value, request.MemoryMiB!.Value, request.Rack ?? "-", request.Power ?? "-", request.Zone ?? "-", Maintenance: false);
        return null;
    }

    private static void CheckLabel(Dictionary<string, string[]> errors, string field, string? label)
    {
        if (label is not null && !ApiValidation.IsLabel(label))
        {
            errors[field] = [ApiValidation.LabelRule];
        }
    }
}
