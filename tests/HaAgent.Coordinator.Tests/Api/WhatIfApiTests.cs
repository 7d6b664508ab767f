using System.Net;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class WhatIfApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task WhatIf_RackFails_RestartsProtectedVmsElsewhere_AndNamesWhatStaysDown()
    {
        var ops = fixture.Host.Client(ApiHost.OperatorToken);
        foreach (var body in new[]
        {
            """{"id":"w-h1","cpus":8,"memoryMiB":16384,"rack":"r1"}""",
            """{"id":"w-h2","cpus":8,"memoryMiB":8192,"rack":"r2"}""",
            """{"id":"w-h3","cpus":8,"memoryMiB":8192,"rack":"r3"}""",
        })
        {
            await (await ops.PostJsonAsync("/v1/hosts", body)).JsonAsync(HttpStatusCode.Created);
        }
        await ops.PostAsync("/v1/hosts/w-h3/maintenance", null);
        foreach (var body in new[]
        {
            """{"id":"w-web","cpus":2,"memoryMiB":2048,"volumes":["ceph:rbd/web"],"host":"w-h1"}""",
            """{"id":"w-big","cpus":2,"memoryMiB":9000,"volumes":["ceph:rbd/big"],"host":"w-h1"}""",
            """{"id":"w-scratch","cpus":1,"memoryMiB":512,"protected":false,"host":"w-h1"}""",
            """{"id":"w-db","cpus":2,"memoryMiB":2048,"volumes":["iscsi:iqn.t:db/0"],"host":"w-h2"}""",
        })
        {
            await (await ops.PostJsonAsync("/v1/vms", body)).JsonAsync(HttpStatusCode.Created);
        }
        var auditBefore = await fixture.Host.Client(ApiHost.ViewerToken).ReadJsonAsync("/v1/audit?limit=1000");

        var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        var plan = await (await viewer.PostJsonAsync("/v1/whatif", """{"level":"rack","label":"r1"}""")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("rack r1", plan.GetProperty("failure").GetString());
        Assert.Equal(["w-h1"], plan.GetProperty("failedHosts").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["w-big", "w-scratch", "w-web"], plan.GetProperty("affectedVms").EnumerateArray().Select(e => e.GetString()));
        Assert.True(plan.GetProperty("restarts").GetArrayLength() == 1, plan.ToString());
        var restart = plan.GetProperty("restarts")[0];
        Assert.Equal("w-web", restart.GetProperty("vmId").GetString());
        Assert.Equal("w-h2", restart.GetProperty("hostId").GetString());
        var down = plan.GetProperty("staysDown").EnumerateArray().ToDictionary(d => d.GetProperty("vmId").GetString()!, d => d.GetProperty("reason").GetString()!);
        Assert.Equal(["w-big", "w-scratch"], down.Keys.Order());
        Assert.Contains("not HA-protected", down["w-scratch"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(down["w-big"]));

        var byHost = await (await viewer.PostJsonAsync("/v1/whatif", """{"hosts":["w-h2"]}""")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("w-h1", Assert.Single(byHost.GetProperty("restarts").EnumerateArray()).GetProperty("hostId").GetString());

        var auditAfter = await viewer.ReadJsonAsync("/v1/audit?limit=1000");
        Assert.Equal(auditBefore.GetProperty("items").GetArrayLength(), auditAfter.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("""{}""", "level")]
    [InlineData("""{"level":"rack"}""", "label")]
    [InlineData("""{"level":"galaxy","label":"x"}""", "level")]
    [InlineData("""{"hosts":[]}""", "hosts")]
    [InlineData("""{"hosts":["ok","no/pe"]}""", "hosts[1]")]
    [InlineData("""{"hosts":["h1"],"level":"rack","label":"r1"}""", "hosts")]
    public async Task WhatIf_BadRequest_Returns400NamingField(string body, string field)
    {
        await (await fixture.Host.Client(ApiHost.ViewerToken).PostJsonAsync("/v1/whatif", body)).AssertFieldErrorAsync(field);
    }
}
