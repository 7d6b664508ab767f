using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// /v1/fences: the fence history with its evidence, read from the audit records the engine writes (see
/// <see cref="AuditRecords.FenceKinds"/>), oldest first, paged by audit sequence; <c>host=</c> narrows it to one victim.
/// </summary>
internal static class FenceEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/fences", ListAsync).WithTags("fences").RequireAuthorization(ApiRoles.ReadPolicy).Produces<FencePageResponse>();

    private static async Task<IResult> ListAsync(HttpContext context, ApiStore store)
    {
        if (AuditFilter.TryRead(context.Request.Query, allowKinds: false, allowVm: false, out var filter) is { } problem)
        {
            return problem;
        }
        var (items, next) = await AuditScanner.ScanAsync<FenceEvent>(store.Store, filter.After, filter.Limit, filtered: true, entry =>
        {
            List<FenceEvent>? events = null;
            var records = AuditRecords.Read(entry.Payload);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (record.Kind is not { } kind || !AuditRecords.FenceKinds.Contains(kind) || !filter.Matches(record))
                {
                    continue;
                }
                var host = record.Subject is { } subject && subject.StartsWith("host/", StringComparison.Ordinal) ? subject["host/".Length..] : null;
                (events ??= []).Add(new FenceEvent(
                    entry.Sequence, i, entry.Epoch, entry.RecordedAt, Time(record.Record), kind, host,
                    Text(record.Record, "decision"), Text(record.Record, "evidence")));
            }
            return events ?? (IReadOnlyList<FenceEvent>)[];
        }, context.RequestAborted);
        return Results.Json(new FencePageResponse(items, next), ApiJsonContext.Default.FencePageResponse);
    }

    private static string? Text(JsonElement record, string member) =>
        record.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement record) =>
        record.TryGetProperty("time", out var value) && value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time) ? time : null;
}
