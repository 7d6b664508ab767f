using HaAgent.Coordinator.Api.Contracts;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/groups: read-only views of the VMs' <c>group</c> label. A group has no document of its own — it exists while a
/// VM names it, and is joined or left through PUT/DELETE /v1/vms/{id}/group — because nothing else about a group
/// needs storing: rules name VMs, and the planner reads VM specs. Each call reads every VM (O(VMs)); it is an
/// operator view, not a hot path.
/// </summary>
internal static class GroupEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var groups = v1.MapGroup("/groups").WithTags("groups");
        groups.MapGet("/", ListAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<Page<GroupSummary>>();
        groups.MapGet("/{name}", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<GroupResponse>();
    }

    private static async Task<IResult> ListAsync(HttpContext context, ApiStore store)
    {
        if (EndpointSupport.ReadPaging(context.Request, out var limit, out var after) is { } problem)
        {
            return problem;
        }
        var vms = await store.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, context.RequestAborted);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var vm in vms)
        {
            if (vm.Group is { } group && (after is null || string.CompareOrdinal(group, after) > 0))
            {
                counts[group] = counts.GetValueOrDefault(group) + 1;
            }
        }
        var items = counts.Take(limit).Select(static g => new GroupSummary(g.Key, g.Value)).ToList();
        var next = counts.Count > limit ? items[^1].Name : null;
        return Results.Json(new Page<GroupSummary>(items, next), ApiJsonContext.Default.PageGroupSummary);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string name, ApiStore store)
    {
        if (EndpointSupport.CheckId(name, "name") is { } problem)
        {
            return problem;
        }
        var vms = await store.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, context.RequestAborted);
        var members = vms.Where(vm => string.Equals(vm.Group, name, StringComparison.Ordinal)).Select(static vm => vm.Id).ToList();
        if (members.Count == 0)
        {
            return ApiProblems.NotFound($"group '{name}' (no VM names it)");
        }
        var memberSet = members.ToHashSet(StringComparer.Ordinal);
        var rules = await store.ListAllAsync(ApiStore.RulesPrefix, ApiJsonContext.Default.RuleDocument, context.RequestAborted);
        var naming = rules.Where(rule => rule.VmIds.Any(memberSet.Contains)).Select(static rule => rule.Name).ToList();
        return Results.Json(new GroupResponse(name, members, naming), ApiJsonContext.Default.GroupResponse);
    }
}
