using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>Small helpers: send JSON text as-is, read answers as JsonElement, assert problem fields.</summary>
internal static class ApiJson
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) => client.PostAsync(path, Body(json));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json, long? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = Body(json) };
        if (ifMatch is { } version)
        {
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{version}\"");
        }
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a 400 problem whose errors name <paramref name="field"/>.</summary>
    public static async Task AssertFieldErrorAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors do not name '{field}': {errors}");
        Assert.True(messages.GetArrayLength() > 0);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpClient client, string path) =>
        await (await client.GetAsync(path)).Content.ReadFromJsonAsync<JsonElement>();
}
