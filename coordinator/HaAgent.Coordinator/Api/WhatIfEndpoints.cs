using HaAgent.Coordinator.Api.Contracts;
using HaAgent.Core.Model;
using HaAgent.Core.Placement;
using Microsoft.Extensions.Options;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// POST /v1/whatif: runs <see cref="FailureDryRun"/> over the stored hosts, VMs and rules. Read-only (viewer role):
/// nothing is written, not even an audit record. A VM's "host" field says where it runs; unprotected VMs on a failed
/// host stay down ("not protected"), VMs without a known host are not running and so not affected.
/// </summary>
internal static class WhatIfEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapPost("/whatif", RunAsync).WithTags("whatif").RequireAuthorization(ApiRoles.ReadPolicy)
            .Accepts<WhatIfRequest>("application/json").Produces<WhatIfResponse>();

    private static async Task<IResult> RunAsync(HttpContext context, ApiStore store, IOptions<ApiOptions> options)
    {
        var (request, problem) = await RequestBody.ReadAsync(context.Request, ApiJsonContext.Default.WhatIfRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null)
        {
            return problem;
        }
        FailureSet failure;
        if (request!.Hosts is { } hostIds)
        {
            if (request.Level is not null || request.Label is not null)
            {
                return ApiProblems.Field("hosts", "give either hosts or level and label, not both");
            }
            if (hostIds.Count is 0 or > ApiValidation.MaxRuleMembers)
            {
                return ApiProblems.Field("hosts", $"must list 1 to {ApiValidation.MaxRuleMembers} host ids");
            }
            for (var i = 0; i < hostIds.Count; i++)
            {
                if (!ApiValidation.IsId(hostIds[i]))
                {
                    return ApiProblems.Field($"hosts[{i}]", ApiValidation.IdRule);
                }
            }
            failure = FailureSet.OfHosts([.. hostIds.Select(static h => h!)]);
        }
        else
        {
            if (RuleEndpoints.ParseLevel(request.Level) is not { } level)
            {
                return ApiProblems.Field("level", request.Level is null ? "give hosts, or level and label" : "must be host, rack, power or zone");
            }
            if (!ApiValidation.IsLabel(request.Label))
            {
                return ApiProblems.Field("label", request.Label is null ? "is required with level" : ApiValidation.LabelRule);
            }
            failure = FailureSet.OfDomain(level, request.Label!);
        }

        var cancel = context.RequestAborted;
        var hosts = await store.ListAllAsync(ApiStore.HostsPrefix, ApiJsonContext.Default.HostDocument, cancel);
        var vms = await store.ListAllAsync(ApiStore.VmsPrefix, ApiJsonContext.Default.VmDocument, cancel);
        var rules = await store.ListAllAsync(ApiStore.RulesPrefix, ApiJsonContext.Default.RuleDocument, cancel);
        return Results.Json(Plan(hosts, vms, rules, failure), ApiJsonContext.Default.WhatIfResponse);
    }

    internal static WhatIfResponse Plan(List<HostDocument> hosts, List<VmDocument> vms, List<RuleDocument> rules, FailureSet failure)
    {
        var specs = hosts.ToDictionary(
            static h => h.Id,
            static h => new HostSpec(h.Id, h.Cpus, h.MemoryMiB, new FailureDomains(h.Rack, h.Power, h.Zone)),
            StringComparer.Ordinal);
        var failedIds = new HashSet<string>(hosts.Where(h => failure.Contains(specs[h.Id])).Select(static h => h.Id), StringComparer.Ordinal);

        var running = new Dictionary<string, string>(StringComparer.Ordinal);
        var runningSpecs = new Dictionary<string, VmSpec>(StringComparer.Ordinal);
        var usedCpus = new Dictionary<string, int>(StringComparer.Ordinal);
        var usedMemory = new Dictionary<string, long>(StringComparer.Ordinal);
        var notProtected = new List<WhatIfDown>();
        foreach (var vm in vms)
        {
            if (vm.Host is not { } hostId || !specs.ContainsKey(hostId))
            {
                continue;
            }
            if (!vm.Protected && failedIds.Contains(hostId))
            {
                notProtected.Add(new WhatIfDown(vm.Id, $"ran on failed host {hostId} but is not HA-protected"));
                continue;
            }
            running[vm.Id] = hostId;
            runningSpecs[vm.Id] = new VmSpec(vm.Id, vm.Cpus, vm.MemoryMiB, [.. vm.Volumes.Select(VolumeRef.Parse)], vm.Priority, vm.Group);
            usedCpus[hostId] = usedCpus.GetValueOrDefault(hostId) + vm.Cpus;
            usedMemory[hostId] = usedMemory.GetValueOrDefault(hostId) + vm.MemoryMiB;
        }
        var placementHosts = hosts.Select(h => new PlacementHost(
            specs[h.Id],
            Eligible: !h.Maintenance,
            IneligibleReason: h.Maintenance ? "in maintenance" : null,
            usedCpus.GetValueOrDefault(h.Id),
            usedMemory.GetValueOrDefault(h.Id))).ToList();
        var request = new PlacementRequest(placementHosts, running, runningSpecs, [], [.. rules.Select(RuleEndpoints.ToPlacementRule)]);

        var result = FailureDryRun.Run(request, failure);
        var restarts = result.Plan.Placed.Select(static p => new WhatIfRestart(p.VmId, p.HostId, p.Why, p.SoftRulesBroken)).ToList();
        var down = result.Plan.Unplaced.Select(static u => new WhatIfDown(u.VmId, u.Reason)).Concat(notProtected).ToList();
        var affected = result.AffectedVmIds.Concat(notProtected.Select(static d => d.VmId)).Order(StringComparer.Ordinal).ToList();
        return new WhatIfResponse(failure.ToString(), result.FailedHostIds, affected, restarts, down);
    }
}
