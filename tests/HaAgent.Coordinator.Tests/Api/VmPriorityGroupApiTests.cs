using System.Net;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class VmPriorityGroupApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Priority_ChangesOnlyPriority_KeepsTheRest()
    {
        await (await _operator.PostJsonAsync("/v1/vms", """{"id":"pg-v1","cpus":2,"memoryMiB":2048,"volumes":["ceph:rbd/pg1"],"group":"web","protected":false}"""))
            .JsonAsync(HttpStatusCode.Created);
        var changed = await (await _operator.PutJsonAsync("/v1/vms/pg-v1/priority", """{"priority":700}""")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(700, changed.GetProperty("priority").GetInt32());
        Assert.Equal("web", changed.GetProperty("group").GetString());
        Assert.False(changed.GetProperty("protected").GetBoolean());
        Assert.Equal("ceph:rbd/pg1", changed.GetProperty("volumes")[0].GetString());
        var stored = await (await _operator.GetAsync("/v1/vms/pg-v1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(700, stored.GetProperty("priority").GetInt32());
    }

    [Theory]
    [InlineData("""{"priority":1000001}""", "priority")]
    [InlineData("""{"priority":-1000001}""", "priority")]
    [InlineData("""{"priority":"high"}""", "priority")]
    [InlineData("""{"priority":1.5}""", "priority")]
    [InlineData("""{}""", "priority")]
    [InlineData("""{"priority":1,"group":"x"}""", "body")]
    [InlineData("""{"priority":""", "priority")]
    [InlineData("""[1]""", "body")]
    public async Task Priority_BadBody_Returns400NamingField(string body, string field)
    {
        await _operator.PostJsonAsync("/v1/vms", """{"id":"pg-v2","cpus":1,"memoryMiB":1}""");
        await (await _operator.PutJsonAsync("/v1/vms/pg-v2/priority", body)).AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task Group_PutAndDelete_GroupsListMembersAndRulesNamingThem()
    {
        foreach (var id in new[] { "gr-a1", "gr-a2", "gr-b1", "gr-c1" })
        {
            await (await _operator.PostJsonAsync("/v1/vms", $$"""{"id":"{{id}}","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        }
        await (await _operator.PutJsonAsync("/v1/vms/gr-a1/group", """{"group":"gr-alpha"}""")).JsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync("/v1/vms/gr-a2/group", """{"group":"gr-alpha"}""")).JsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync("/v1/vms/gr-b1/group", """{"group":"gr-beta"}""")).JsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync("/v1/vms/gr-c1/group", """{"group":"gr-gamma"}""")).JsonAsync(HttpStatusCode.OK);
        await (await _operator.PostJsonAsync("/v1/rules", """{"name":"gr-apart","kind":"anti-affinity","strength":"hard","vmIds":["gr-a1","gr-a2"]}""")).JsonAsync(HttpStatusCode.Created);
        await (await _operator.PostJsonAsync("/v1/rules", """{"name":"gr-other","kind":"affinity","strength":"soft","vmIds":["gr-b1","gr-zz"]}""")).JsonAsync(HttpStatusCode.Created);

        var alpha = await (await _operator.GetAsync("/v1/groups/gr-alpha")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["gr-a1", "gr-a2"], alpha.GetProperty("vmIds").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["gr-apart"], alpha.GetProperty("rules").EnumerateArray().Select(v => v.GetString()));

        var page = await (await _operator.GetAsync("/v1/groups?after=gr-alph&limit=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["gr-alpha", "gr-beta"], page.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("name").GetString()));
        Assert.Equal(2, page.GetProperty("items")[0].GetProperty("vmCount").GetInt32());
        Assert.Equal("gr-beta", page.GetProperty("next").GetString());
        var rest = await (await _operator.GetAsync("/v1/groups?after=gr-beta&limit=2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("gr-gamma", rest.GetProperty("items")[0].GetProperty("name").GetString());

        // Leaving: the VM keeps everything else; a group nobody names no longer exists.
        var left = await (await _operator.DeleteAsync("/v1/vms/gr-c1/group")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, left.GetProperty("group").ValueKind);
        await (await _operator.GetAsync("/v1/groups/gr-gamma")).JsonAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Group_Errors_400NamingField_404_409_403_401()
    {
        await _operator.PostJsonAsync("/v1/vms", """{"id":"gr-e1","cpus":1,"memoryMiB":1}""");
        await (await _operator.PutJsonAsync("/v1/vms/gr-e1/group", """{"group":"has space"}""")).AssertFieldErrorAsync("group");
        await (await _operator.PutJsonAsync("/v1/vms/gr-e1/group", """{"group":null}""")).AssertFieldErrorAsync("group");
        await (await _operator.PutJsonAsync("/v1/vms/gr-e1/group", """{"group":7}""")).AssertFieldErrorAsync("group");
        await (await _operator.PutJsonAsync("/v1/vms/bad%20id/group", """{"group":"g"}""")).AssertFieldErrorAsync("id");
        await (await _operator.GetAsync("/v1/groups/bad%20name")).AssertFieldErrorAsync("name");
        await (await _operator.GetAsync("/v1/groups?limit=0")).AssertFieldErrorAsync("limit");
        await (await _operator.PutJsonAsync("/v1/vms/gr-nobody/group", """{"group":"g"}""")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PutJsonAsync("/v1/vms/gr-nobody/priority", """{"priority":1}""")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.DeleteAsync("/v1/vms/gr-nobody/group")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.GetAsync("/v1/groups/gr-nobody")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PutJsonAsync("/v1/vms/gr-e1/group", """{"group":"g"}""", ifMatch: 999_999)).JsonAsync(HttpStatusCode.Conflict);
        await (await _operator.PutJsonAsync("/v1/vms/gr-e1/priority", """{"priority":3}""", ifMatch: 999_999)).JsonAsync(HttpStatusCode.Conflict);
        var request = new HttpRequestMessage(HttpMethod.Put, "/v1/vms/gr-e1/priority") { Content = new StringContent("""{"priority":3}""") };
        request.Content.Headers.ContentType = new("text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await _operator.SendAsync(request)).StatusCode);

        var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutJsonAsync("/v1/vms/gr-e1/group", """{"group":"g"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutJsonAsync("/v1/vms/gr-e1/priority", """{"priority":1}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/v1/groups")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.Client(null).GetAsync("/v1/groups")).StatusCode);
        var vm = await (await viewer.GetAsync("/v1/vms/gr-e1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, vm.GetProperty("group").ValueKind);
        Assert.Equal(0, vm.GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task ConcurrentPriorityAndGroupChanges_SameIfMatch_OneWinsOneConflicts()
    {
        var created = await (await _operator.PostJsonAsync("/v1/vms", """{"id":"gr-race","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        var version = created.GetProperty("version").GetInt64();
        var answers = await Task.WhenAll(
            _operator.PutJsonAsync("/v1/vms/gr-race/priority", """{"priority":9}""", ifMatch: version),
            _operator.PutJsonAsync("/v1/vms/gr-race/group", """{"group":"g9"}""", ifMatch: version));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
    }
}
