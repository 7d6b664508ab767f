using System.Net;
using System.Text.Json;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>Own coordinator: the fence listing is asserted whole.</summary>
public sealed class FenceApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Fences_ListFenceRecordsWithEvidence_InOrder_Paged_ByHost()
    {
        var host = fixture.Host;
        // Noise the fence history must skip: an API mutation and non-fence engine records.
        await (await host.Client(ApiHost.OperatorToken).PostJsonAsync("/v1/hosts", """{"id":"h2","cpus":8,"memoryMiB":8192}""")).JsonAsync(HttpStatusCode.Created);
        await EngineAudit.AppendAsync(host, EngineAudit.Record("status-change", "host h2", "status change healthy => suspect", "no heartbeat for 3.0s"));
        var ordered = await EngineAudit.AppendAsync(host, "[" + string.Join(",",
            EngineAudit.Record("status-change", "host h2", "status change isolated => fencing", "fence round 1"),
            EngineAudit.Record("fence-ordered", "host h2", "fence fence-h2-1 ordered via h1 (attempt 1/3, token 1)", "ceph-blocklist 127.99.0.2")) + "]");
        await EngineAudit.AppendAsync(host, EngineAudit.Record("FenceAttemptFailed", "host h2", "fence fence-h2-1 via h1 failed", "timeout after 10s"));
        var verified = await EngineAudit.AppendAsync(host, """{"records":[""" + EngineAudit.Record(
            "fence-verified", "host h2", "fence verified: it can no longer write its volumes",
            "fence-h2-2 via h3: osdmap 101 seen, blocklist entry at epoch 101, lists [127.99.0.2]", "2026-11-25T12:00:20+00:00") + "]}");
        await EngineAudit.AppendAsync(host, """{"time":"2026-11-25T12:01:00+00:00","kind":10,"subject":"host h4","decision":"self-fence accepted; its VMs are released","evidence":"host h4 reports it stopped []"}""");
        await EngineAudit.AppendAsync(host, EngineAudit.Record("cannot-fence", "host h5", "CANNOT FENCE h5", "3 attempts failed"));
        await EngineAudit.AppendAsync(host, "not json at all");

        var viewer = host.Client(ApiHost.ViewerToken);
        var all = await (await viewer.GetAsync("/v1/fences")).JsonAsync(HttpStatusCode.OK);
        var items = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["fence-ordered", "fence-attempt-failed", "fence-verified", "self-fenced", "cannot-fence"],
            items.Select(i => i.GetProperty("kind").GetString()));
        Assert.Equal(["h2", "h2", "h2", "h4", "h5"], items.Select(i => i.GetProperty("host").GetString()));
        Assert.Equal(ordered, items[0].GetProperty("sequence").GetInt64());
        Assert.Equal(1, items[0].GetProperty("index").GetInt32());
        var proof = items[2];
        Assert.Equal(verified, proof.GetProperty("sequence").GetInt64());
        Assert.Contains("blocklist entry at epoch 101", proof.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 20, TimeSpan.Zero), proof.GetProperty("time").GetDateTimeOffset());
        Assert.True(proof.GetProperty("epoch").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next").ValueKind);

        // Paging: 2 at a time, resuming after the returned audit sequence, gives the same five.
        var paged = new List<string?>();
        long after = 0;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await (await viewer.GetAsync($"/v1/fences?limit=2&after={after}")).JsonAsync(HttpStatusCode.OK);
            var pageItems = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(pageItems.Count <= 2);
            paged.AddRange(pageItems.Select(i => i.GetProperty("kind").GetString()));
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                break;
            }
            after = page.GetProperty("next").GetInt64();
        }
        Assert.Equal(items.Select(i => i.GetProperty("kind").GetString()), paged);

        var h2 = await (await viewer.GetAsync("/v1/fences?host=h2&after=" + ordered)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["fence-attempt-failed", "fence-verified"], h2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("/v1/fences?limit=0", "limit")]
    [InlineData("/v1/fences?limit=1001", "limit")]
    [InlineData("/v1/fences?after=-1", "after")]
    [InlineData("/v1/fences?after=x", "after")]
    [InlineData("/v1/fences?host=a%2Fb", "host")]
    [InlineData("/v1/fences?kind=fence-verified", "kind")]
    [InlineData("/v1/fences?vm=v1", "vm")]
    public async Task Fences_BadQuery_Returns400NamingIt(string path, string field)
    {
        await (await fixture.Host.Client(ApiHost.ViewerToken).GetAsync(path)).AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Fences_NeedViewerToken()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).GetAsync("/v1/fences")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client("unknown-token-0000000000000").GetAsync("/v1/fences")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await fixture.Host.Client(ApiHost.OperatorToken).PostJsonAsync("/v1/fences", "{}")).StatusCode);
    }
}
