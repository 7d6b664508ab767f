using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace HaAgent.Ctl.Checks;

/// <summary>
/// The few coordinator REST calls the checks make. JSON is read with JsonDocument (no reflection, so NativeAOT-safe)
/// and only the members a check needs are looked at, so new members in the API do not break monitoring.
/// </summary>
internal sealed class CoordinatorClient : IDisposable
{
    /// <summary>The API's largest page; a cluster of a few thousand documents is a handful of calls.</summary>
    private const int PageSize = 1000;

    /// <summary>A runaway `next` loop (a misbehaving proxy) must still end before the check's deadline does.</summary>
    private const int MaxPages = 1000;

    private readonly HttpClient _http;

    /// <summary>The TLS trust of this client; <see cref="CoordinatorTrust.LastRefusal"/> says why a handshake failed.</summary>
    public CoordinatorTrust Trust { get; }

    public CoordinatorClient(Uri baseUri, string? token, TimeSpan timeout, CoordinatorTrust? trust = null)
    {
        Trust = trust ?? CoordinatorTrust.Create(null, []);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Trust.Validate },
            ConnectTimeout = timeout,
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        _http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = timeout };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("haagentctl/1");
    }

    public async Task<(HttpStatusCode Status, JsonDocument? Body)> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        JsonDocument? body = null;
        if (bytes.Length > 0 && response.Content.Headers.ContentType?.MediaType is { } type && type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                body = JsonDocument.Parse(bytes);
            }
            catch (JsonException)
            {
                // A proxy's HTML error page labelled JSON: the status code still tells the story.
            }
        }
        return (response.StatusCode, body);
    }

    public async Task<(HttpStatusCode Status, string Body)> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Every item of a /v1 listing, following <c>next</c>; throws <see cref="ApiStatusException"/> on a non-200 page.</summary>
    public async Task<List<JsonElement>> ListAllAsync(string collection, CancellationToken cancellationToken)
    {
        var items = new List<JsonElement>();
        string? after = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var path = $"/v1/{collection}?limit={PageSize}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            var (status, body) = await GetJsonAsync(path, cancellationToken).ConfigureAwait(false);
            using (body)
            {
                if (status != HttpStatusCode.OK || body is null)
                {
                    throw new ApiStatusException(path, status);
                }
                if (body.RootElement.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    items.AddRange(array.EnumerateArray().Select(static e => e.Clone()));
                }
                after = body.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            }
            if (after is null)
            {
                return items;
            }
        }
        throw new InvalidOperationException($"/v1/{collection} still had a next page after {MaxPages} pages");
    }

    public void Dispose() => _http.Dispose();
}
