using System.Net;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class HostApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Register_ThenGetListUpdate_RoundTripsWithVersions()
    {
        var created = await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"rt-h1","cpus":32,"memoryMiB":131072,"rack":"r1","power":"p1","zone":"z1"}"""))
            .JsonAsync(HttpStatusCode.Created);
        var version = created.GetProperty("version").GetInt64();
        Assert.True(version > 0);
        Assert.False(created.GetProperty("maintenance").GetBoolean());
        await _operator.PostJsonAsync("/v1/hosts", """{"id":"rt-h2","cpus":8,"memoryMiB":1024}""");

        var got = await _operator.GetAsync("/v1/hosts/rt-h1");
        var host = await got.JsonAsync(HttpStatusCode.OK);
        Assert.Equal($"\"{version}\"", got.Headers.ETag?.Tag);
        Assert.Equal("r1", host.GetProperty("rack").GetString());

        var first = await (await _operator.GetAsync("/v1/hosts?limit=1&after=rt-h0")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("rt-h1", first.GetProperty("items")[0].GetProperty("id").GetString());
        var next = first.GetProperty("next").GetString();
        var second = await (await _operator.GetAsync($"/v1/hosts?limit=1&after={next}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("rt-h2", second.GetProperty("items")[0].GetProperty("id").GetString());

        var updated = await (await _operator.PutJsonAsync("/v1/hosts/rt-h1", """{"cpus":64,"memoryMiB":262144,"rack":"r2"}""", ifMatch: version))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(64, updated.GetProperty("cpus").GetInt32());
        Assert.Equal("r2", updated.GetProperty("rack").GetString());
        Assert.True(updated.GetProperty("version").GetInt64() > version);
    }

    [Theory]
    [InlineData("""{"id":"bad-1","cpus":4,"memoryMiB":0}""", "memoryMiB")]
    [InlineData("""{"id":"bad-2","cpus":-1,"memoryMiB":10}""", "cpus")]
    [InlineData("""{"id":"bad-3","cpus":"four","memoryMiB":10}""", "cpus")]
    [InlineData("""{"id":"bad-4","cpus":4,"memoryMiB":99999999999999999999999}""", "memoryMiB")]
    [InlineData("""{"id":"a/b","cpus":4,"memoryMiB":10}""", "id")]
    [InlineData("""{"cpus":4,"memoryMiB":10}""", "id")]
    [InlineData("""{"id":"bad-5","cpus":4,"memoryMiB":10,"rack":"has space"}""", "rack")]
    [InlineData("""{"id":"bad-6","cpus":4,"memoryMiB":10,"memoryMb":5}""", "body")]
    [InlineData("""{"id":"bad-7","cpus":4,""", "body")]
    public async Task Register_BadField_Returns400NamingIt(string body, string field)
    {
        await (await _operator.PostJsonAsync("/v1/hosts", body)).AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Get_UnknownOrMalformedId_Returns404Or400()
    {
        await (await _operator.GetAsync("/v1/hosts/nobody-here")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.GetAsync("/v1/hosts/bad%20id")).AssertFieldErrorAsync("id");
        await (await _operator.PutJsonAsync("/v1/hosts/nobody-here", """{"cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PostAsync("/v1/hosts/nobody-here/maintenance", null)).JsonAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Register_Duplicate_Returns409()
    {
        await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"dup-h","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        var conflict = await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"dup-h","cpus":2,"memoryMiB":2}""")).JsonAsync(HttpStatusCode.Conflict);
        Assert.True(conflict.GetProperty("currentVersion").GetInt64() > 0);
        var host = await _operator.ReadJsonAsync("/v1/hosts/dup-h");
        Assert.Equal(1, host.GetProperty("cpus").GetInt32());
    }

    [Fact]
    public async Task Update_StaleIfMatch_Returns409AndKeepsDocument()
    {
        var created = await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"cas-h","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        var version = created.GetProperty("version").GetInt64();
        await (await _operator.PutJsonAsync("/v1/hosts/cas-h", """{"cpus":2,"memoryMiB":2}""", version)).JsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync("/v1/hosts/cas-h", """{"cpus":3,"memoryMiB":3}""", version)).JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, (await _operator.ReadJsonAsync("/v1/hosts/cas-h")).GetProperty("cpus").GetInt32());

        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/hosts/cas-h") { Content = ApiJson.Body("""{"cpus":3,"memoryMiB":3}""") };
        request.Headers.TryAddWithoutValidation("If-Match", "yesterday");
        await (await _operator.SendAsync(request)).AssertFieldErrorAsync("If-Match");
    }

    [Fact]
    public async Task Maintenance_OnThenOff_IsStoredAndSurvivesSpecUpdate()
    {
        await _operator.PostJsonAsync("/v1/hosts", """{"id":"mnt-h","cpus":1,"memoryMiB":1}""");
        var on = await (await _operator.PostAsync("/v1/hosts/mnt-h/maintenance", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(on.GetProperty("maintenance").GetBoolean());
        var updated = await (await _operator.PutJsonAsync("/v1/hosts/mnt-h", """{"cpus":2,"memoryMiB":2}""")).JsonAsync(HttpStatusCode.OK);
        Assert.True(updated.GetProperty("maintenance").GetBoolean());
        var off = await (await _operator.DeleteAsync("/v1/hosts/mnt-h/maintenance")).JsonAsync(HttpStatusCode.OK);
        Assert.False(off.GetProperty("maintenance").GetBoolean());
    }

    [Fact]
    public async Task Update_TwoConcurrentWithSameIfMatch_ExactlyOneWins()
    {
        var created = await (await _operator.PostJsonAsync("/v1/hosts", """{"id":"race-h","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        var version = created.GetProperty("version").GetInt64();
        var other = fixture.Host.Client(ApiHost.AdminToken);
        var answers = await Task.WhenAll(
            _operator.PutJsonAsync("/v1/hosts/race-h", """{"cpus":2,"memoryMiB":2}""", version),
            other.PutJsonAsync("/v1/hosts/race-h", """{"cpus":3,"memoryMiB":3}""", version));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var winner = answers.Single(a => a.StatusCode == HttpStatusCode.OK);
        var stored = await _operator.ReadJsonAsync("/v1/hosts/race-h");
        Assert.Equal((await winner.JsonAsync(HttpStatusCode.OK)).GetProperty("cpus").GetInt32(), stored.GetProperty("cpus").GetInt32());
    }
}
