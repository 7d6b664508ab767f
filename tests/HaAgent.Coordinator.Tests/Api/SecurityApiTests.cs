using System.Net;
using System.Net.Http.Headers;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class SecurityApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory]
    [InlineData(null, "GET", "/v1/hosts", HttpStatusCode.Unauthorized)]
    [InlineData("not-a-configured-token-at-all", "GET", "/v1/hosts", HttpStatusCode.Unauthorized)]
    [InlineData(ApiHost.ViewerToken, "GET", "/v1/hosts", HttpStatusCode.OK)]
    [InlineData(null, "POST", "/v1/hosts", HttpStatusCode.Unauthorized)]
    [InlineData(ApiHost.ViewerToken, "POST", "/v1/hosts", HttpStatusCode.Forbidden)]
    [InlineData(ApiHost.ViewerToken, "POST", "/v1/hosts/h/maintenance", HttpStatusCode.Forbidden)]
    [InlineData(ApiHost.ViewerToken, "DELETE", "/v1/rules/r", HttpStatusCode.Forbidden)]
    [InlineData(ApiHost.ViewerToken, "PUT", "/v1/vms/v", HttpStatusCode.Forbidden)]
    [InlineData(ApiHost.ViewerToken, "POST", "/v1/whatif", HttpStatusCode.BadRequest)]
    [InlineData(null, "GET", "/metrics", HttpStatusCode.Unauthorized)]
    [InlineData(null, "GET", "/healthz", HttpStatusCode.OK)]
    public async Task Roles_GateReadsAndWrites(string? token, string method, string path, HttpStatusCode expected)
    {
        var client = fixture.Host.Client(token);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = ApiJson.Body("""{"id":"sec-h","cpus":1,"memoryMiB":1}""".Replace("sec-h", method == "POST" && path.EndsWith("whatif", StringComparison.Ordinal) ? "x" : "sec-h", StringComparison.Ordinal));
        }
        var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task MalformedAuthorizationHeader_Returns401()
    {
        var client = fixture.Host.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/vms")).StatusCode);
    }

    [Fact]
    public async Task Tokens_NeverAppearInAnswersOrLogs()
    {
        string[] secrets = [ApiHost.ViewerToken, ApiHost.OperatorToken, ApiHost.AdminToken];
        var bodies = new List<string>();
        async Task Send(HttpClient client, HttpMethod method, string path, string? body = null)
        {
            var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = ApiJson.Body(body);
            }
            var response = await client.SendAsync(request);
            bodies.Add(string.Join('\n', response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        var ops = fixture.Host.Client(ApiHost.OperatorToken);
        var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        await Send(ops, HttpMethod.Post, "/v1/hosts", """{"id":"sec-1","cpus":1,"memoryMiB":1}""");
        await Send(ops, HttpMethod.Post, "/v1/hosts/sec-1/maintenance");
        await Send(ops, HttpMethod.Post, "/v1/hosts", "{\"id\":\"" + ApiHost.AdminToken + "\"");
        await Send(ops, HttpMethod.Post, "/v1/hosts", "{\"" + ApiHost.AdminToken + "\":1}");
        await Send(viewer, HttpMethod.Post, "/v1/hosts", """{"id":"sec-2","cpus":1,"memoryMiB":1}""");
        await Send(viewer, HttpMethod.Get, "/v1/audit");
        await Send(viewer, HttpMethod.Get, "/metrics");
        await Send(viewer, HttpMethod.Get, "/readyz");
        var wrong = fixture.Host.Client(ApiHost.OperatorToken + "x");
        await Send(wrong, HttpMethod.Get, "/v1/hosts");
        await Send(fixture.Host.Client(null), HttpMethod.Get, "/openapi/v1.json");

        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(fixture.Host.Logs.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
        // The mutation is logged with the token's name as the actor: who did it, without what they authenticated with.
        Assert.Contains(fixture.Host.Logs.Lines, l => l.Contains("host.register hosts/sec-1 by ops (operator)", StringComparison.Ordinal));
    }
}
