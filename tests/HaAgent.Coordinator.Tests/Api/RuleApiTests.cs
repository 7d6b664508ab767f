using System.Net;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class RuleApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Rule_CreateReadUpdateDelete_NamingVmsThatDoNotExistYet()
    {
        var created = await (await _operator.PostJsonAsync("/v1/rules", """{"name":"web-apart","kind":"anti-affinity","strength":"hard","vmIds":["web1","web2"],"level":"rack"}"""))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal("rack", created.GetProperty("level").GetString());
        var version = created.GetProperty("version").GetInt64();

        var updated = await (await _operator.PutJsonAsync("/v1/rules/web-apart", """{"kind":"anti-affinity","strength":"soft","vmIds":["web1","web2","web3"]}""", version))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal("soft", updated.GetProperty("strength").GetString());
        Assert.Equal("host", updated.GetProperty("level").GetString());

        await (await _operator.PostJsonAsync("/v1/rules", """{"name":"db-pin","kind":"host-pinning","strength":"hard","vmIds":["db1"],"hostIds":["h1","h2"]}"""))
            .JsonAsync(HttpStatusCode.Created);
        var list = await _operator.ReadJsonAsync("/v1/rules");
        Assert.Equal(2, list.GetProperty("items").EnumerateArray().Count(r => r.GetProperty("name").GetString() is "web-apart" or "db-pin"));

        var stale = new HttpRequestMessage(HttpMethod.Delete, "/v1/rules/web-apart");
        stale.Headers.TryAddWithoutValidation("If-Match", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await (await _operator.SendAsync(stale)).JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.NoContent, (await _operator.DeleteAsync("/v1/rules/web-apart")).StatusCode);
        await (await _operator.GetAsync("/v1/rules/web-apart")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.DeleteAsync("/v1/rules/web-apart")).JsonAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":"r1","kind":"together","strength":"hard","vmIds":["a","b"]}""", "kind")]
    [InlineData("""{"name":"r2","kind":"affinity","strength":"always","vmIds":["a","b"]}""", "strength")]
    [InlineData("""{"name":"r3","kind":"affinity","strength":"hard","vmIds":["a"]}""", "vmIds")]
    [InlineData("""{"name":"r4","kind":"affinity","strength":"hard","vmIds":["a","a"]}""", "vmIds")]
    [InlineData("""{"name":"r5","kind":"spread","strength":"soft","vmIds":["a","b"],"level":"planet"}""", "level")]
    [InlineData("""{"name":"r6","kind":"affinity","strength":"hard","vmIds":["a","b"],"level":"rack"}""", "level")]
    [InlineData("""{"name":"r7","kind":"host-pinning","strength":"hard","vmIds":["a"]}""", "hostIds")]
    [InlineData("""{"name":"r8","kind":"affinity","strength":"hard","vmIds":["a","b c"]}""", "vmIds[1]")]
    public async Task Create_BadRule_Returns400NamingField(string body, string field)
    {
        await (await _operator.PostJsonAsync("/v1/rules", body)).AssertFieldErrorAsync(field);
    }
}
