using System.Globalization;
using System.Text.Json;
using HaAgent.Coordinator.Api.Contracts;

namespace HaAgent.Coordinator.Api;

/// <summary>/v1/audit: the store's audit log, oldest first, paged by sequence number.</summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder v1) =>
        v1.MapGet("/audit", ReadAsync).WithTags("audit").RequireAuthorization(ApiRoles.ReadPolicy).Produces<AuditPageResponse>();

    private static async Task<IResult> ReadAsync(HttpContext context, ApiStore store)
    {
        var query = context.Request.Query;
        var limit = ApiValidation.DefaultPageSize;
        long after = 0;
        if (query["limit"] is { Count: > 0 } limitText
            && (limitText.Count > 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > ApiValidation.MaxPageSize))
        {
            return ApiProblems.Field("limit", $"must be a whole number from 1 to {ApiValidation.MaxPageSize}");
        }
        if (query["after"] is { Count: > 0 } afterText
            && (afterText.Count > 1 || !long.TryParse(afterText[0], NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return ApiProblems.Field("after", "must be an audit sequence number (0 or more)");
        }
        var page = await store.Store.ReadAuditAsync(after, limit, context.RequestAborted);
        var items = new List<AuditEntryResponse>(page.Entries.Count);
        foreach (var entry in page.Entries)
        {
            items.Add(new AuditEntryResponse(entry.Sequence, entry.Epoch, entry.RecordedAt, ParseRecord(entry.Payload)));
        }
        long? next = page.HasMore && items.Count > 0 ? items[^1].Sequence : null;
        return Results.Json(new AuditPageResponse(items, next), ApiJsonContext.Default.AuditPageResponse);
    }

    /// <summary>Records written by other parts of the coordinator may not be JSON; those are returned as a string.</summary>
    private static JsonElement ParseRecord(ReadOnlyMemory<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(System.Text.Encoding.UTF8.GetString(payload.Span), ApiJsonContext.Default.String);
        }
    }
}
