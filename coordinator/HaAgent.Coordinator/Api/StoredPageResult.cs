using System.Text.Json;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// A listing page written straight from the stored bytes — they are already the documents' JSON — into the
/// response as <c>{"items":[...],"next":...}</c>, with each document's <c>version</c> member set to its store
/// version. A streaming token copy instead of deserialising to records and serialising them again: for a page of
/// 1 000 VMs that is most of the work the server does (see benchmarks/.../Coordinator/ApiPagingBenchmark).
/// </summary>
internal sealed class StoredPageResult(IReadOnlyList<StoredDocument> documents, string? next) : IResult
{
    private static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText Next = JsonEncodedText.Encode("next");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(Items);
            foreach (var document in documents)
            {
                if (StoredRendering.Cached(document) is { } rendered)
                {
                    writer.WriteRawValue(rendered, skipInputValidation: true);
                }
                else
                {
                    WriteWithVersion(writer, document.Value.Span, document.Version);
                }
                if (writer.BytesPending > 16 * 1024)
                {
                    await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
                }
            }
            writer.WriteEndArray();
            if (next is null)
            {
                writer.WriteNull(Next);
            }
            else
            {
                writer.WriteString(Next, next);
            }
            writer.WriteEndObject();
            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Copies one stored JSON object, replacing (or adding) its top-level <c>version</c>.</summary>
    internal static void WriteWithVersion(Utf8JsonWriter writer, ReadOnlySpan<byte> json, long version)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a stored document is not a JSON object");
        }
        writer.WriteStartObject();
        var versionWritten = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isVersion = reader.ValueTextEquals(Version.EncodedUtf8Bytes);
            if (isVersion)
            {
                writer.WriteNumber(Version, version);
                versionWritten = true;
            }
            else if (reader.ValueIsEscaped)
            {
                writer.WritePropertyName(reader.GetString()!);
            }
            else
            {
                writer.WritePropertyName(reader.ValueSpan);
            }
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
            if (!isVersion)
            {
                var end = reader.TokenType == JsonTokenType.String
                    ? start + reader.ValueSpan.Length + 2
                    : reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray ? (int)reader.BytesConsumed : start + reader.ValueSpan.Length;
                writer.WriteRawValue(json[start..end], skipInputValidation: true);
            }
        }
        if (!versionWritten)
        {
            writer.WriteNumber(Version, version);
        }
        writer.WriteEndObject();
    }
}
