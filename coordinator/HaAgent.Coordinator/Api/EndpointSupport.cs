using System.Globalization;

namespace HaAgent.Coordinator.Api;

/// <summary>Query, header and id checks shared by the endpoint groups.</summary>
internal static class EndpointSupport
{
    /// <summary>limit (1..1000, default 100) and after (an id) of a listing, or the problem naming the bad one.</summary>
    public static IResult? ReadPaging(HttpRequest request, out int limit, out string? after)
    {
        limit = ApiValidation.DefaultPageSize;
        after = null;
        var limitText = request.Query["limit"];
        if (limitText.Count > 0)
        {
            if (limitText.Count > 1 || !int.TryParse(limitText[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > ApiValidation.MaxPageSize)
            {
                return ApiProblems.Field("limit", $"must be a whole number from 1 to {ApiValidation.MaxPageSize}");
            }
        }
        var afterText = request.Query["after"];
        if (afterText.Count > 0)
        {
            if (afterText.Count > 1 || !ApiValidation.IsId(afterText[0]))
            {
                return ApiProblems.Field("after", ApiValidation.IdRule);
            }
            after = afterText[0];
        }
        return null;
    }

    /// <summary>If-Match: "N" or N (the document version); absent means "whatever is current".</summary>
    public static IResult? ReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }
        var text = header.Count == 1 ? header[0]?.Trim() : null;
        if (text is { Length: > 2 } && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }
        if (text is null || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
        {
            return ApiProblems.Field("If-Match", "must be one document version, a positive number, optionally quoted");
        }
        version = parsed;
        return null;
    }

    public static void SetETag(HttpResponse response, long version) =>
        response.Headers.ETag = "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    public static IResult? CheckId(string id, string field = "id") => ApiValidation.IsId(id) ? null : ApiProblems.Field(field, ApiValidation.IdRule);

    public static IResult VersionMismatch(string key, long expected, long current) =>
        ApiProblems.Conflict($"'{key}' is at version {current}, not {expected}", current);
}
