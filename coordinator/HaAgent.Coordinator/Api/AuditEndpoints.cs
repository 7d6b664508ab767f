using HaAgent.Coordinator.Api.Contracts;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/audit: the store's audit log, oldest first, paged by sequence number, optionally filtered server-side by kind
/// and by subject (<c>subject=host/h2</c>, or <c>host=h2</c>, <c>vm=web1</c>) — an entry matches when any of its
/// records does, and is returned whole.
/// </summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/audit", ReadAsync).WithTags("audit").RequireAuthorization(ApiRoles.ReadPolicy).Produces<AuditPageResponse>();

    private static async Task<IResult> ReadAsync(HttpContext context, ApiStore store)
    {
        if (AuditFilter.TryRead(context.Request.Query, allowKinds: true, allowVm: true, out var filter) is { } problem)
        {
            return problem;
        }
        var (items, next) = await AuditScanner.ScanAsync<AuditEntryResponse>(store.Store, filter.After, filter.Limit, filter.IsFiltered, entry =>
        {
            if (filter.IsFiltered && !AuditRecords.Read(entry.Payload).Exists(filter.Matches))
            {
                return [];
            }
            return [new AuditEntryResponse(entry.Sequence, entry.Epoch, entry.RecordedAt, AuditRecords.Parse(entry.Payload))];
        }, context.RequestAborted);
        return Results.Json(new AuditPageResponse(items, next), ApiJsonContext.Default.AuditPageResponse);
    }
}
