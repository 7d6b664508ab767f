using System.Net;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class AuditQueryApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    private async Task<List<JsonElement>> ReadAllAsync(string query, int limit)
    {
        var records = new List<JsonElement>();
        long after = 0;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await (await _operator.GetAsync($"/v1/audit?{query}&limit={limit}&after={after}")).JsonAsync(HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= limit);
            foreach (var item in items)
            {
                Assert.True(item.GetProperty("sequence").GetInt64() > after);
                records.Add(item.GetProperty("record"));
            }
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                return records;
            }
            after = page.GetProperty("next").GetInt64();
        }
        throw new InvalidOperationException("paging did not end");
    }

    [Fact]
    public async Task Audit_FilterByKindHostVmSubject_FindsApiAndEngineRecords_Paged()
    {
        await _operator.PostJsonAsync("/v1/hosts", """{"id":"aq-h1","cpus":4,"memoryMiB":8}""");
        await _operator.PostJsonAsync("/v1/hosts", """{"id":"aq-h2","cpus":4,"memoryMiB":8}""");
        await _operator.PostAsync("/v1/hosts/aq-h1/maintenance", null);
        await _operator.PostJsonAsync("/v1/vms", """{"id":"aq-v1","cpus":1,"memoryMiB":1}""");
        await _operator.PutJsonAsync("/v1/vms/aq-v1/priority", """{"priority":5}""");
        await EngineAudit.AppendAsync(fixture.Host, EngineAudit.Record("status-change", "host aq-h1", "status change healthy => suspect", "silent 3 s"));
        await EngineAudit.AppendAsync(fixture.Host, EngineAudit.Record("vm-released", "vm aq-v1", "released from aq-h1", "host aq-h1 fenced"));
        await EngineAudit.AppendAsync(fixture.Host, EngineAudit.Record("FenceVerified", "host aq-h2", "fence verified", "proof"));

        var h1 = await ReadAllAsync("host=aq-h1", limit: 1);
        Assert.Equal(["host.register", "host.maintenance-on", "status-change"], h1.Select(r => r.TryGetProperty("action", out var a) ? a.GetString() : r.GetProperty("kind").GetString()));

        var sameBySubject = await ReadAllAsync("subject=hosts/aq-h1", limit: 1000);
        Assert.Equal(3, sameBySubject.Count);
        Assert.Equal(3, (await ReadAllAsync("subject=host%20aq-h1", limit: 1000)).Count);

        var vm = await ReadAllAsync("vm=aq-v1", limit: 2);
        Assert.Equal(["vm.create", "vm.priority", null], vm.Select(r => r.TryGetProperty("action", out var a) ? a.GetString() : null));

        // Kinds: repeatable and comma-separated; the engine's spellings are normalised.
        var kinds = await ReadAllAsync("kind=host.register,fence-verified&kind=vm.priority", limit: 2);
        Assert.Equal(4, kinds.Count(r =>
            (r.TryGetProperty("subject", out var s) && (s.GetString()!.Contains("aq-", StringComparison.Ordinal)))));
        Assert.Single(await ReadAllAsync("kind=fence_verified&host=aq-h2", limit: 5));
        Assert.Empty(await ReadAllAsync("kind=status-change&host=aq-h2", limit: 5));

        // Unfiltered paging still returns every entry in order.
        var everything = await ReadAllAsync("", limit: 3);
        Assert.True(everything.Count >= 8);
    }

    [Theory]
    [InlineData("kind=", "kind")]
    [InlineData("kind=a%20b", "kind")]
    [InlineData("host=a%2Fb", "host")]
    [InlineData("vm=", "vm")]
    [InlineData("subject=", "subject")]
    [InlineData("host=h1&vm=v1", "vm")]
    [InlineData("limit=abc", "limit")]
    [InlineData("after=1&after=2", "after")]
    public async Task Audit_BadFilter_Returns400NamingIt(string query, string field)
    {
        await (await _operator.GetAsync("/v1/audit?" + query)).AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Audit_Filtered_NeedsViewer()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).GetAsync("/v1/audit?kind=fence-verified")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Host.Client(ApiHost.ViewerToken).GetAsync("/v1/audit?kind=fence-verified")).StatusCode);
    }
}
