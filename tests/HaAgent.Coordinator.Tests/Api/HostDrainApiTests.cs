using System.Net;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class HostDrainApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Drain_SetsMaintenanceAndDrain_DeleteEndsBoth_EachAudited()
    {
        await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"dr-h1","cpus":8,"memoryMiB":8192}""")).JsonAsync(HttpStatusCode.Created);

        var draining = await (await _operator.PostAsync("/v1/hosts/dr-h1/drain", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(draining.GetProperty("maintenance").GetBoolean());
        Assert.True(draining.GetProperty("drain").GetBoolean());
        // The engine reads the stored document, not the answer: the flags must be persisted.
        var stored = await (await _operator.GetAsync("/v1/hosts/dr-h1")).JsonAsync(HttpStatusCode.OK);
        Assert.True(stored.GetProperty("drain").GetBoolean());

        // A spec update keeps the drain going.
        var updated = await (await _operator.PutJsonAsync("/v1/hosts/dr-h1", """{"cpus":16,"memoryMiB":8192}""")).JsonAsync(HttpStatusCode.OK);
        Assert.True(updated.GetProperty("drain").GetBoolean());
        Assert.True(updated.GetProperty("maintenance").GetBoolean());

        var ended = await (await _operator.DeleteAsync("/v1/hosts/dr-h1/drain")).JsonAsync(HttpStatusCode.OK);
        Assert.False(ended.GetProperty("maintenance").GetBoolean());
        Assert.False(ended.GetProperty("drain").GetBoolean());

        var audit = await (await _operator.GetAsync("/v1/audit?host=dr-h1&limit=1000")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(
            ["host.register", "host.drain-on", "host.update", "host.drain-off"],
            audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("record").GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Maintenance_WithoutDrain_KeepsVms_EndingItEndsADrain()
    {
        await _operator.PostJsonAsync("/v1/hosts", """{"id":"dr-h2","cpus":8,"memoryMiB":8192}""");
        var cordoned = await (await _operator.PostAsync("/v1/hosts/dr-h2/maintenance", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(cordoned.GetProperty("maintenance").GetBoolean());
        Assert.False(cordoned.GetProperty("drain").GetBoolean());
        // Ending a drain that never started leaves plain maintenance alone.
        var still = await (await _operator.DeleteAsync("/v1/hosts/dr-h2/drain")).JsonAsync(HttpStatusCode.OK);
        Assert.True(still.GetProperty("maintenance").GetBoolean());

        await (await _operator.PostAsync("/v1/hosts/dr-h2/drain", null)).JsonAsync(HttpStatusCode.OK);
        // Maintenance asked again while draining does not cancel the drain.
        var again = await (await _operator.PostAsync("/v1/hosts/dr-h2/maintenance", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(again.GetProperty("drain").GetBoolean());
        var off = await (await _operator.DeleteAsync("/v1/hosts/dr-h2/maintenance")).JsonAsync(HttpStatusCode.OK);
        Assert.False(off.GetProperty("maintenance").GetBoolean());
        Assert.False(off.GetProperty("drain").GetBoolean());
    }

    [Fact]
    public async Task Drain_UnknownHost404_BadId400_StaleIfMatch409_Viewer403_NoToken401()
    {
        await (await _operator.PostAsync("/v1/hosts/dr-nobody/drain", null)).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.DeleteAsync("/v1/hosts/dr-nobody/drain")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PostAsync("/v1/hosts/bad%20id/drain", null)).AssertFieldErrorAsync("id");

        var created = await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"dr-h3","cpus":8,"memoryMiB":8192}""")).JsonAsync(HttpStatusCode.Created);
        var version = created.GetProperty("version").GetInt64();
        var stale = new HttpRequestMessage(HttpMethod.Post, "/v1/hosts/dr-h3/drain");
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"{version + 1000}\"");
        var conflict = await (await _operator.SendAsync(stale)).JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal(version, conflict.GetProperty("currentVersion").GetInt64());
        var bad = new HttpRequestMessage(HttpMethod.Post, "/v1/hosts/dr-h3/drain");
        bad.Headers.TryAddWithoutValidation("If-Match", "abc");
        await (await _operator.SendAsync(bad)).AssertFieldErrorAsync("If-Match");

        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Host.Client(ApiHost.ViewerToken).PostAsync("/v1/hosts/dr-h3/drain", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).DeleteAsync("/v1/hosts/dr-h3/drain")).StatusCode);
        var unchanged = await (await _operator.GetAsync("/v1/hosts/dr-h3")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(version, unchanged.GetProperty("version").GetInt64());
        Assert.False(unchanged.GetProperty("drain").GetBoolean());
    }
}
