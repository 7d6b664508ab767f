using System.Buffers;
using System.Text.Json;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// A stored document as the API answers it — its JSON with <c>version</c> set — rendered once per cached document
/// and kept with it (<see cref="StoredDocument.Rendered"/>): the read cache hands out the same object until the
/// document changes, so a page of 1 000 becomes 1 000 byte copies instead of 1 000 JSON token copies.
/// </summary>
internal static class StoredRendering
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    /// <summary>
    /// Renders a cached document ahead of its first read (the read cache calls this when a document arrives), so a
    /// GET never pays for the render. A document that is not a JSON object is left unrendered: its read fails as it
    /// always did, and nothing else does.
    /// </summary>
    public static void Prerender(StoredDocument document)
    {
        try
        {
            Cached(document);
        }
        catch (JsonException)
        {
            // Not an object: rendered (and refused) on read, like an uncached document.
        }
    }

    /// <summary>The rendered bytes of a cached document (memoised), or null for an uncached one (write it with <see cref="StoredPageResult.WriteWithVersion"/>).</summary>
    public static byte[]? Cached(StoredDocument document)
    {
        if (!document.Cached)
        {
            return null;
        }
        if (document.Rendered is { } rendered)
        {
            return rendered;
        }
        var buffer = new ArrayBufferWriter<byte>(document.Value.Length + 32);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            StoredPageResult.WriteWithVersion(writer, document.Value.Span, document.Version);
        }
        // Two racing readers render the same bytes; either copy may win.
        rendered = buffer.WrittenSpan.ToArray();
        document.Rendered = rendered;
        return rendered;
    }
}
