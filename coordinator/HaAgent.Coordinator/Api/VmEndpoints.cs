using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Core.Model;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/vms: create, update, list, protect/unprotect, priority and group. Only protected VMs are restarted after a
/// failure. The sub-resources change one member and keep the rest, so two operators changing different members of
/// the same VM do not overwrite each other's full document (each is still a compare-and-swap on the read version).
/// </summary>
internal static class VmEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var vms = v1.MapGroup("/vms").WithTags("vms");
        vms.MapGet("/", ListAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<Page<VmDocument>>();
        vms.MapGet("/{id}", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<VmDocument>();
        vms.MapPost("/", CreateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<VmRequest>("application/json").Produces<VmDocument>(StatusCodes.Status201Created);
        vms.MapPut("/{id}", UpdateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<VmRequest>("application/json").Produces<VmDocument>();
        vms.MapPost("/{id}/protect", (HttpContext context, string id, ApiStore store) => SetProtectedAsync(context, id, true, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<VmDocument>();
        vms.MapPost("/{id}/unprotect", (HttpContext context, string id, ApiStore store) => SetProtectedAsync(context, id, false, store))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<VmDocument>();
        vms.MapPut("/{id}/priority", SetPriorityAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<VmPriorityRequest>("application/json").Produces<VmDocument>();
        vms.MapPut("/{id}/group", SetGroupAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<VmGroupRequest>("application/json").Produces<VmDocument>();
        vms.MapDelete("/{id}/group", (HttpContext context, string id, ApiStore store) => ChangeAsync(context, id, store, "vm.group", static vm => vm with { Group = null }))
            .RequireAuthorization(ApiRoles.WritePolicy).Produces<VmDocument>();
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiStore store)
    {
        if (EndpointSupport.ReadPaging(context.Request, out var limit, out var after) is { } problem)
        {
            return problem;
        }
        var page = await store.ListRawAsync(ApiStore.VmsPrefix, after, limit, context.RequestAborted);
        return new StoredPageResult(page.Documents, page.NextStartAfter?[ApiStore.VmsPrefix.Length..]);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id, ApiStore store)
    {
        if (EndpointSupport.CheckId(id) is { } problem)
        {
            return problem;
        }
        var stored = await store.GetRawAsync(ApiStore.VmsPrefix + id, context.RequestAborted);
        return stored is null ? ApiProblems.NotFound($"VM '{id}'") : new StoredDocumentResult(stored);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiStore store, IOptions<ApiOptions> options)
    {
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.VmRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (Validate(request!, routeId: null, currentProtected: true, out var vm) is { } errors)
        {
            return ApiProblems.Fields(errors);
        }
        var key = ApiStore.VmsPrefix + vm!.Id;
        var (version, conflict) = await store.CommitAsync(context.User, "vm.create", key, null, Serialize(vm), 0, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, version);
        return Results.Created($"/v1/vms/{vm.Id}", vm with { Version = version });
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
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.VmRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        var key = ApiStore.VmsPrefix + id;
        if (Validate(request!, id, currentProtected: true, out _) is { } errors)
        {
            return ApiProblems.Fields(errors);
        }
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.VmDocument, context.RequestAborted);
        if (current is null)
        {
            return ApiProblems.NotFound($"VM '{id}'");
        }
        if (ifMatch is { } expected && expected != version)
        {
            return EndpointSupport.VersionMismatch(key, expected, version);
        }
        Validate(request!, id, current.Protected, out var vm);
        // Where it runs is kept from the stored document (the engine writes it for protected VMs) unless the request names a host.
        vm = vm! with { Host = request!.Host ?? current.Host };
        return await WriteAsync(context, store, "vm.update", key, raw, vm, version);
    }

    private static Task<IResult> SetProtectedAsync(HttpContext context, string id, bool on, ApiStore store) =>
        ChangeAsync(context, id, store, on ? "vm.protect" : "vm.unprotect", vm => vm with { Protected = on });

    private static async Task<IResult> SetPriorityAsync(HttpContext context, string id, ApiStore store, IOptions<ApiOptions> options)
    {
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return badId;
        }
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.VmPriorityRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (request!.Priority is not { } priority || priority is < -ApiValidation.MaxAbsPriority or > ApiValidation.MaxAbsPriority)
        {
            return ApiProblems.Field("priority", request.Priority is null
                ? "is required"
                : $"must be between -{ApiValidation.MaxAbsPriority} and {ApiValidation.MaxAbsPriority}");
        }
        return await ChangeAsync(context, id, store, "vm.priority", vm => vm with { Priority = priority });
    }

    private static async Task<IResult> SetGroupAsync(HttpContext context, string id, ApiStore store, IOptions<ApiOptions> options)
    {
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return badId;
        }
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.VmGroupRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (!ApiValidation.IsId(request!.Group))
        {
            return ApiProblems.Field("group", request.Group is null ? "is required (DELETE the group to take the VM out of it)" : ApiValidation.IdRule);
        }
        var group = request.Group!;
        return await ChangeAsync(context, id, store, "vm.group", vm => vm with { Group = group });
    }

    /// <summary>Read, change one member, commit with the read version as compare-and-swap (a concurrent writer gets 409).</summary>
    private static async Task<IResult> ChangeAsync(HttpContext context, string id, ApiStore store, string action, Func<VmDocument, VmDocument> change)
    {
        if (EndpointSupport.CheckId(id) is { } badId)
        {
            return badId;
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return badIfMatch;
        }
        var key = ApiStore.VmsPrefix + id;
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.VmDocument, context.RequestAborted);
        if (current is null)
        {
            return ApiProblems.NotFound($"VM '{id}'");
        }
        if (ifMatch is { } expected && expected != version)
        {
            return EndpointSupport.VersionMismatch(key, expected, version);
        }
        return await WriteAsync(context, store, action, key, raw, change(current), version);
    }

    private static async Task<IResult> WriteAsync(HttpContext context, ApiStore store, string action, string key, Store.StoredDocument? raw, VmDocument vm, long version)
    {
        var (newVersion, conflict) = await store.CommitAsync(context.User, action, key, raw, Serialize(vm), version, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, newVersion);
        return Results.Json(vm with { Version = newVersion }, ApiJsonContext.Default.VmDocument);
    }

    private static byte[] Serialize(VmDocument vm) =>
        JsonSerializer.SerializeToUtf8Bytes(vm with { Version = 0 }, ApiJsonContext.Default.VmDocument);

    private static Dictionary<string, string[]>? Validate(VmRequest request, string? routeId, bool currentProtected, out VmDocument? vm)
    {
        vm = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var id = request.Id ?? routeId;
        if (!ApiValidation.IsId(id))
        {
            errors["id"] = [id is null ? "is required" : ApiValidation.IdRule];
        }
        else if (routeId is not null && !string.Equals(id, routeId, StringComparison.Ordinal))
        {
            errors["id"] = ["must match the id in the path (a VM cannot be renamed)"];
        }
        if (request.Cpus is not { } cpus || cpus is < 1 or > ApiValidation.MaxCpus)
        {
            errors["cpus"] = [request.Cpus is null ? "is required" : $"must be > 0 and <= {ApiValidation.MaxCpus}"];
        }
        if (request.MemoryMiB is not { } memory || memory is < 1 or > ApiValidation.MaxMemoryMiB)
        {
            errors["memoryMiB"] = [request.MemoryMiB is null ? "is required" : $"must be > 0 and <= {ApiValidation.MaxMemoryMiB}"];
        }
        var volumes = new List<string>();
        if (request.Volumes is { } given)
        {
            if (given.Count > ApiValidation.MaxVolumes)
            {
                errors["volumes"] = [$"at most {ApiValidation.MaxVolumes} volumes"];
            }
            else
            {
                for (var i = 0; i < given.Count; i++)
                {
                    var text = given[i];
                    if (text is null || text.Length > ApiValidation.MaxVolumeLength || !IsPrintable(text))
                    {
                        errors[$"volumes[{i}]"] = ["must be ceph:POOL/IMAGE or iscsi:TARGET/LUN, at most 256 printable characters"];
                        continue;
                    }
                    try
                    {
                        VolumeRef.Parse(text);
                        volumes.Add(text);
                    }
                    catch (FormatException)
                    {
                        errors[$"volumes[{i}]"] = ["must be ceph:POOL/IMAGE or iscsi:TARGET/LUN (LUN a non-negative number)"];
                    }
                }
                if (volumes.Distinct(StringComparer.Ordinal).Count() != volumes.Count)
                {
                    errors["volumes"] = ["lists a volume twice"];
                }
            }
        }
        if (request.Priority is < -ApiValidation.MaxAbsPriority or > ApiValidation.MaxAbsPriority)
        {
            errors["priority"] = [$"must be between -{ApiValidation.MaxAbsPriority} and {ApiValidation.MaxAbsPriority}"];
        }
        if (request.Group is not null && !ApiValidation.IsId(request.Group))
        {
            errors["group"] = [ApiValidation.IdRule];
        }
        if (request.Host is not null && !ApiValidation.IsId(request.Host))
        {
            errors["host"] = [ApiValidation.IdRule];
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        vm = new VmDocument(id!, request.Cpus!.Value, request.MemoryMiB!.Value, volumes, request.Priority ?? 0, request.Group, request.Protected ?? currentProtected, request.Host);
        return null;
    }

    private static bool IsPrintable(string text)
    {
        foreach (var c in text)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }
        return true;
    }
}
