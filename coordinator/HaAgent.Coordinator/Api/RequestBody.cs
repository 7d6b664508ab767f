using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// Reads a JSON body under the size limit ourselves rather than through parameter binding, so every malformed body
/// becomes a problem answer naming what was wrong (the JSON path of a wrongly typed member) — never an exception.
/// </summary>
internal static class RequestBody
{
    /// <summary>The body, or the problem to answer with.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBytes)
        where T : class
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "send the body as application/json"));
        }
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var (length, problem) = await ReadBoundedAsync(request, buffer, maxBytes).ConfigureAwait(false);
            if (problem is not null)
            {
                return (null, problem);
            }
            if (length == 0)
            {
                return (null, ApiProblems.Field("body", "a JSON body is required"));
            }
            try
            {
                var value = JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo);
                return value is null ? (null, ApiProblems.Field("body", "a JSON object is required")) : (value, null);
            }
            catch (JsonException e)
            {
                return (null, ApiProblems.Field(FieldOf(e.Path, typeInfo), "is not valid JSON of the expected type, or is not a known member"));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A non-JSON body (e.g. libvirt XML) as bytes, or the problem: 415 unless its media type is one of
    /// <paramref name="mediaTypes"/>, 413 beyond <paramref name="maxBytes"/> (which may exceed the JSON limit; the
    /// server's own body limit is raised for this request only), 400 when empty.
    /// </summary>
    public static async Task<(byte[]? Bytes, IResult? Problem)> ReadRawAsync(HttpRequest request, int maxBytes, params string[] mediaTypes)
    {
        if (!mediaTypes.Any(type => IsMediaType(request.ContentType, type)))
        {
            return (null, ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"send the body as {string.Join(" or ", mediaTypes)}"));
        }
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var (length, problem) = await ReadBoundedAsync(request, buffer, maxBytes).ConfigureAwait(false);
            if (problem is not null)
            {
                return (null, problem);
            }
            return length == 0 ? (null, ApiProblems.Field("body", "a body is required")) : (buffer.AsSpan(0, length).ToArray(), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult TooLarge(int maxBytes) =>
        ApiProblems.Status(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"a request body may hold at most {maxBytes} bytes");

    private static bool IsJson(string? contentType) => IsMediaType(contentType, "application/json");

    private static bool IsMediaType(string? contentType, string expected)
    {
        if (contentType is null)
        {
            return false;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// "$.memoryMiB" → "memoryMiB", "$.volumes[2]" → "volumes[2]"; "body" when the path is not one of
    /// <paramref name="typeInfo"/>'s members, so a member name the client made up (maybe a pasted secret) is never echoed.
    /// </summary>
    private static string FieldOf(string? path, JsonTypeInfo typeInfo)
    {
        if (string.IsNullOrEmpty(path) || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return "body";
        }
        var field = path[2..];
        var end = field.IndexOfAny(['.', '[']);
        var member = end < 0 ? field : field[..end];
        var known = typeInfo.Properties.Any(p => string.Equals(p.Name, member, StringComparison.Ordinal));
        return known && field.Length <= ApiValidation.MaxIdLength && !field.Contains('\'', StringComparison.Ordinal) ? field : "body";
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> + 1 bytes into <paramref name="buffer"/>: 413 when the declared or the
    /// actual length is over the limit (the server's own body limit is set to it for this request), or the status of a
    /// body the server could not read.
    /// </summary>
    private static async Task<(int Length, IResult? Problem)> ReadBoundedAsync(HttpRequest request, byte[] buffer, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return (0, TooLarge(maxBytes));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
        var length = 0;
        try
        {
            while (length <= maxBytes)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), request.HttpContext.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
        }
        catch (BadHttpRequestException e)
        {
            // A chunked body (no Content-Length) over the limit ends here, refused by the server itself.
            return (0, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : ApiProblems.Status(e.StatusCode, "Bad request", "the request body could not be read"));
        }
        return length > maxBytes ? (0, TooLarge(maxBytes)) : (length, null);
    }
}
