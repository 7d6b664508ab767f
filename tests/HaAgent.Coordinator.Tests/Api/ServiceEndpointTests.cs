using System.Net;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class ServiceEndpointTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Healthz_AndReadyz_SayAliveAndWhoLeads()
    {
        var anonymous = fixture.Host.Client(null);
        Assert.Equal("ok\n", await anonymous.GetStringAsync("/healthz"));
        var ready = await (await anonymous.GetAsync("/readyz")).JsonAsync(HttpStatusCode.OK);
        Assert.True(ready.GetProperty("leading").GetBoolean());
        Assert.Equal("api-test-1", ready.GetProperty("instance").GetString());
        Assert.Equal("api-test-1", ready.GetProperty("leader").GetProperty("instanceId").GetString());
        Assert.True(ready.GetProperty("leader").GetProperty("epoch").GetInt64() >= 1);
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryEndpoint()
    {
        var document = await (await fixture.Host.Client(null).GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[]
        {
            ("/v1/hosts", "get"), ("/v1/hosts", "post"), ("/v1/hosts/{id}", "get"), ("/v1/hosts/{id}", "put"),
            ("/v1/hosts/{id}/maintenance", "post"), ("/v1/hosts/{id}/maintenance", "delete"),
            ("/v1/vms", "get"), ("/v1/vms", "post"), ("/v1/vms/{id}", "get"), ("/v1/vms/{id}", "put"),
            ("/v1/vms/{id}/protect", "post"), ("/v1/vms/{id}/unprotect", "post"),
            ("/v1/rules", "get"), ("/v1/rules", "post"), ("/v1/rules/{name}", "get"), ("/v1/rules/{name}", "put"), ("/v1/rules/{name}", "delete"),
            ("/v1/audit", "get"), ("/v1/whatif", "post"), ("/healthz", "get"), ("/readyz", "get"), ("/metrics", "get"),
            ("/v1/hosts/{id}/drain", "post"), ("/v1/hosts/{id}/drain", "delete"),
            ("/v1/vms/{id}/priority", "put"), ("/v1/vms/{id}/group", "put"), ("/v1/vms/{id}/group", "delete"),
            ("/v1/vms/{id}/definition", "get"), ("/v1/vms/{id}/definition", "put"),
            ("/v1/groups", "get"), ("/v1/groups/{name}", "get"), ("/v1/fences", "get"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"OpenAPI lacks {method} {path}");
        }
        Assert.True(paths.GetProperty("/v1/hosts").GetProperty("post").TryGetProperty("requestBody", out _));
        Assert.True(paths.GetProperty("/v1/vms/{id}/priority").GetProperty("put").TryGetProperty("requestBody", out _));
        var definitionBody = paths.GetProperty("/v1/vms/{id}/definition").GetProperty("put").GetProperty("requestBody").GetProperty("content");
        Assert.True(definitionBody.TryGetProperty("application/xml", out _), $"definition body types: {definitionBody}");
    }

    [Fact]
    public async Task Metrics_ExposeHostsVmsAndRequestsInPrometheusText()
    {
        var ops = fixture.Host.Client(ApiHost.OperatorToken);
        await ops.PostJsonAsync("/v1/hosts", """{"id":"met-h1","cpus":1,"memoryMiB":1}""");
        await ops.PostJsonAsync("/v1/hosts", """{"id":"met-h2","cpus":1,"memoryMiB":1}""");
        await ops.PostAsync("/v1/hosts/met-h2/maintenance", null);
        await ops.PostJsonAsync("/v1/vms", """{"id":"met-v1","cpus":1,"memoryMiB":1}""");
        await ops.PostJsonAsync("/v1/vms", """{"id":"met-v2","cpus":1,"memoryMiB":1,"protected":false}""");
        await ops.GetAsync("/v1/hosts/met-nobody");

        var response = await ops.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE haagent_hosts gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_hosts{state=\"active\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_hosts{state=\"maintenance\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_vms{protection=\"protected\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_vms{protection=\"unprotected\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_leader 1\n", text, StringComparison.Ordinal);
        Assert.Matches("haagent_api_requests_total\\{status=\"404\"\\} [1-9]", text);
        Assert.Matches("haagent_api_requests_total\\{status=\"201\"\\} [1-9]", text);
    }

    [Fact]
    public async Task Body_TooLarge_Returns413_WrongContentType_Returns415()
    {
        var ops = fixture.Host.Client(ApiHost.OperatorToken);
        var huge = "{\"id\":\"big\",\"rack\":\"" + new string('r', 70_000) + "\"}";
        await (await ops.PostJsonAsync("/v1/hosts", huge)).JsonAsync(HttpStatusCode.RequestEntityTooLarge);
        var form = new StringContent("id=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        await (await ops.PostAsync("/v1/hosts", form)).JsonAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task OpenReads_LetsMonitoringReadWithoutToken_ButNotWrite()
    {
        await using var open = await ApiHost.StartAsync(openReads: true);
        var anonymous = open.Client(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/hosts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/v1/hosts", """{"id":"o1","cpus":1,"memoryMiB":1}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await open.Client(ApiHost.ViewerToken).PostJsonAsync("/v1/hosts", """{"id":"o1","cpus":1,"memoryMiB":1}""")).StatusCode);
    }

    [Fact]
    public async Task Follower_RefusesWrites_With503NamingTheLeader()
    {
        await using var follower = new ApiHost(databasePath: fixture.Host.DatabasePath, instanceId: "api-test-2");
        var client = follower.Client(ApiHost.OperatorToken);
        var ready = await (await client.GetAsync("/readyz")).JsonAsync(HttpStatusCode.OK);
        Assert.False(ready.GetProperty("leading").GetBoolean());
        Assert.Equal("api-test-1", ready.GetProperty("leader").GetProperty("instanceId").GetString());

        var problem = await (await client.PostJsonAsync("/v1/hosts", """{"id":"follower-h","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("api-test-1", problem.GetProperty("leader").GetString());
        Assert.Equal(JsonValueKind.Number, problem.GetProperty("epoch").ValueKind);
        await (await fixture.Host.Client(ApiHost.ViewerToken).GetAsync("/v1/hosts/follower-h")).JsonAsync(HttpStatusCode.NotFound);
        // Reads work on a follower.
        await (await client.GetAsync("/v1/hosts")).JsonAsync(HttpStatusCode.OK);
    }
}
