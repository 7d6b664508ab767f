using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Core.Model;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/rules: placement rules. A rule may name VMs and hosts that do not exist (yet): rules are often written before
/// the VMs they bind, and the planner ignores members it does not know, so refusing them would only force an order
/// of operations on the operator. Ids must still be well-formed.
/// </summary>
internal static class RuleEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var rules = v1.MapGroup("/rules").WithTags("rules");
        rules.MapGet("/", ListAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<Page<RuleDocument>>();
        rules.MapGet("/{name}", GetAsync).RequireAuthorization(ApiRoles.ReadPolicy).Produces<RuleDocument>();
        rules.MapPost("/", CreateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<RuleRequest>("application/json").Produces<RuleDocument>(StatusCodes.Status201Created);
        rules.MapPut("/{name}", UpdateAsync).RequireAuthorization(ApiRoles.WritePolicy).Accepts<RuleRequest>("application/json").Produces<RuleDocument>();
        rules.MapDelete("/{name}", DeleteAsync).RequireAuthorization(ApiRoles.WritePolicy).Produces(StatusCodes.Status204NoContent);
    }

    /// <summary>The stored rule as the planner's record.</summary>
    public static PlacementRule ToPlacementRule(RuleDocument rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var strength = rule.Strength == "hard" ? RuleStrength.Hard : RuleStrength.Soft;
        return rule.Kind switch
        {
            "affinity" => new AffinityRule(rule.Name, strength, rule.VmIds),
            "anti-affinity" => new AntiAffinityRule(rule.Name, strength, rule.VmIds, ParseLevel(rule.Level) ?? FailureDomainLevel.Host),
            "host-pinning" => new HostPinningRule(rule.Name, strength, rule.VmIds, rule.HostIds ?? []),
            _ => new SpreadRule(rule.Name, strength, rule.VmIds, ParseLevel(rule.Level) ?? FailureDomainLevel.Host),
        };
    }

    public static FailureDomainLevel? ParseLevel(string? level) => level switch
    {
        "host" => FailureDomainLevel.Host,
        "rack" => FailureDomainLevel.Rack,
        "power" => FailureDomainLevel.Power,
        "zone" => FailureDomainLevel.Zone,
        _ => null,
    };

    private static async Task<IResult> ListAsync(HttpContext context, ApiStore store)
    {
        if (EndpointSupport.ReadPaging(context.Request, out var limit, out var after) is { } problem)
        {
            return problem;
        }
        var (items, next) = await store.ListAsync(ApiStore.RulesPrefix, after, limit, ApiJsonContext.Default.RuleDocument, context.RequestAborted);
        return Results.Json(new Page<RuleDocument>([.. items.Select(static i => i.Value with { Version = i.Version })], next), ApiJsonContext.Default.PageRuleDocument);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string name, ApiStore store)
    {
        if (EndpointSupport.CheckId(name, "name") is { } problem)
        {
            return problem;
        }
        var (rule, version, _) = await store.GetAsync(ApiStore.RulesPrefix + name, ApiJsonContext.Default.RuleDocument, context.RequestAborted);
        if (rule is null)
        {
            return ApiProblems.NotFound($"rule '{name}'");
        }
        EndpointSupport.SetETag(context.Response, version);
        return Results.Json(rule with { Version = version }, ApiJsonContext.Default.RuleDocument);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApiStore store, IOptions<ApiOptions> options)
    {
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.RuleRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (Validate(request!, routeName: null, out var rule) is { } errors)
        {
            return ApiProblems.Fields(errors);
        }
        var key = ApiStore.RulesPrefix + rule!.Name;
        var (version, conflict) = await store.CommitAsync(context.User, "rule.create", key, null, Serialize(rule), 0, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, version);
        return Results.Created($"/v1/rules/{rule.Name}", rule with { Version = version });
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string name, ApiStore store, IOptions<ApiOptions> options)
    {
        if (EndpointSupport.CheckId(name, "name") is { } badId)
        {
            return badId;
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return badIfMatch;
        }
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.RuleRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        if (Validate(request!, name, out var rule) is { } errors)
        {
            return ApiProblems.Fields(errors);
        }
        var key = ApiStore.RulesPrefix + name;
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.RuleDocument, context.RequestAborted);
        if (current is null)
        {
            return ApiProblems.NotFound($"rule '{name}'");
        }
        if (ifMatch is { } expected && expected != version)
        {
            return EndpointSupport.VersionMismatch(key, expected, version);
        }
        var (newVersion, conflict) = await store.CommitAsync(context.User, "rule.update", key, raw, Serialize(rule!), version, context.RequestAborted);
        if (conflict is not null)
        {
            return conflict;
        }
        EndpointSupport.SetETag(context.Response, newVersion);
        return Results.Json(rule! with { Version = newVersion }, ApiJsonContext.Default.RuleDocument);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string name, ApiStore store)
    {
        if (EndpointSupport.CheckId(name, "name") is { } badId)
        {
            return badId;
        }
        if (EndpointSupport.ReadIfMatch(context.Request, out var ifMatch) is { } badIfMatch)
        {
            return badIfMatch;
        }
        var key = ApiStore.RulesPrefix + name;
        var (current, version, raw) = await store.GetAsync(key, ApiJsonContext.Default.RuleDocument, context.RequestAborted);
        if (current is null)
        {
            return ApiProblems.NotFound($"rule '{name}'");
        }
        if (ifMatch is { } expected && expected != version)
        {
            return EndpointSupport.VersionMismatch(key, expected, version);
        }
        var (_, conflict) = await store.CommitAsync(context.User, "rule.delete", key, raw, null, version, context.RequestAborted);
        return conflict ?? Results.NoContent();
    }

    private static byte[] Serialize(RuleDocument rule) =>
        JsonSerializer.SerializeToUtf8Bytes(rule with { Version = 0 }, ApiJsonContext.Default.RuleDocument);

    private static Dictionary<string, string[]>? Validate(RuleRequest request, string? routeName, out RuleDocument? rule)
    {
        rule = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var name = request.Name ?? routeName;
        if (!ApiValidation.IsId(name))
        {
            errors["name"] = [name is null ? "is required" : ApiValidation.IdRule];
        }
        else if (routeName is not null && !string.Equals(name, routeName, StringComparison.Ordinal))
        {
            errors["name"] = ["must match the name in the path (a rule cannot be renamed)"];
        }
        var kind = request.Kind;
        if (kind is not ("affinity" or "anti-affinity" or "host-pinning" or "spread"))
        {
            errors["kind"] = [kind is null ? "is required" : "must be affinity, anti-affinity, host-pinning or spread"];
        }
        if (request.Strength is not ("hard" or "soft"))
        {
            errors["strength"] = [request.Strength is null ? "is required" : "must be hard or soft"];
        }
        var vmIds = CheckIds(errors, "vmIds", request.VmIds, minimum: kind is "host-pinning" ? 1 : 2);
        string? level = null;
        if (kind is "anti-affinity" or "spread")
        {
            level = request.Level ?? "host";
            if (ParseLevel(level) is null)
            {
                errors["level"] = ["must be host, rack, power or zone"];
            }
        }
        else if (request.Level is not null)
        {
            errors["level"] = ["only anti-affinity and spread rules have a level"];
        }
        IReadOnlyList<string>? hostIds = null;
        if (kind is "host-pinning")
        {
            hostIds = CheckIds(errors, "hostIds", request.HostIds, minimum: 1);
        }
        else if (request.HostIds is not null)
        {
            errors["hostIds"] = ["only host-pinning rules list hosts"];
        }
        if (errors.Count > 0)
        {
            return errors;
        }
        rule = new RuleDocument(name!, kind!, request.Strength!, vmIds, level, hostIds);
        return null;
    }

    private static List<string> CheckIds(Dictionary<string, string[]> errors, string field, IReadOnlyList<string?>? ids, int minimum)
    {
        var checkedIds = new List<string>();
        if (ids is null || ids.Count < minimum || ids.Count > ApiValidation.MaxRuleMembers)
        {
            errors[field] = [ids is null ? "is required" : $"must list {minimum} to {ApiValidation.MaxRuleMembers} ids"];
            return checkedIds;
        }
        for (var i = 0; i < ids.Count; i++)
        {
            if (!ApiValidation.IsId(ids[i]))
            {
                errors[$"{field}[{i}]"] = [ApiValidation.IdRule];
                continue;
            }
            checkedIds.Add(ids[i]!);
        }
        if (checkedIds.Distinct(StringComparer.Ordinal).Count() != checkedIds.Count)
        {
            errors[field] = ["lists an id twice"];
        }
        return checkedIds;
    }
}
