using System.Text.Json;
using HaAgent.Coordinator.Store;

namespace HaAgent.Coordinator.Api;

/// <summary>
/// One stored document answered from its stored JSON with <c>version</c> set (and the ETag), without deserialising
/// and serialising it again; see <see cref="StoredPageResult"/>.
/// </summary>
internal sealed class StoredDocumentResult(StoredDocument document) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        EndpointSupport.SetETag(response, document.Version);
        if (StoredRendering.Cached(document) is { } rendered)
        {
            response.ContentLength = rendered.Length;
            await response.BodyWriter.WriteAsync(rendered, httpContext.RequestAborted).ConfigureAwait(false);
            return;
        }
        await using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
        StoredPageResult.WriteWithVersion(writer, document.Value.Span, document.Version);
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
