using System.Net;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class VmApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Create_WithVolumes_IsProtectedByDefault_AndProtectToggles()
    {
        var vm = await (await _operator.PostJsonAsync("/v1/vms", """{"id":"vm-a","cpus":2,"memoryMiB":4096,"volumes":["ceph:rbd/vm-a-disk","iscsi:iqn.2026-01.lab:t1/3"],"priority":10,"group":"web"}"""))
            .JsonAsync(HttpStatusCode.Created);
        Assert.True(vm.GetProperty("protected").GetBoolean());
        Assert.Equal(2, vm.GetProperty("volumes").GetArrayLength());

        var off = await (await _operator.PostAsync("/v1/vms/vm-a/unprotect", null)).JsonAsync(HttpStatusCode.OK);
        Assert.False(off.GetProperty("protected").GetBoolean());
        var updated = await (await _operator.PutJsonAsync("/v1/vms/vm-a", """{"cpus":4,"memoryMiB":4096,"volumes":["ceph:rbd/vm-a-disk"]}""")).JsonAsync(HttpStatusCode.OK);
        Assert.False(updated.GetProperty("protected").GetBoolean());
        var on = await (await _operator.PostAsync("/v1/vms/vm-a/protect", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True(on.GetProperty("protected").GetBoolean());

        var list = await _operator.ReadJsonAsync("/v1/vms");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), v => v.GetProperty("id").GetString() == "vm-a");
    }

    [Theory]
    [InlineData("""{"id":"vm-b1","cpus":1,"memoryMiB":1,"volumes":["nfs:/export/x"]}""", "volumes[0]")]
    [InlineData("""{"id":"vm-b2","cpus":1,"memoryMiB":1,"volumes":["ceph:rbd/ok","iscsi:iqn.t/-1"]}""", "volumes[1]")]
    [InlineData("""{"id":"vm-b3","cpus":1,"memoryMiB":1,"volumes":["ceph:rbd/x","ceph:rbd/x"]}""", "volumes")]
    [InlineData("""{"id":"vm-b4","cpus":1,"memoryMiB":-5}""", "memoryMiB")]
    [InlineData("""{"id":"vm-b5","cpus":1,"memoryMiB":1,"priority":2147483648}""", "priority")]
    [InlineData("""{"id":"vm-b6","cpus":1,"memoryMiB":1,"protected":"yes"}""", "protected")]
    [InlineData("""{"id":"vm-b7","cpus":1,"memoryMiB":1,"host":"../etc"}""", "host")]
    public async Task Create_BadField_Returns400NamingIt(string body, string field)
    {
        await (await _operator.PostJsonAsync("/v1/vms", body)).AssertFieldErrorAsync(field);
    }

    [Fact]
    public async Task UnknownVm_Returns404_DuplicateReturns409()
    {
        await (await _operator.GetAsync("/v1/vms/vm-missing")).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PostAsync("/v1/vms/vm-missing/protect", null)).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.PostJsonAsync("/v1/vms", """{"id":"vm-dup","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        await (await _operator.PostJsonAsync("/v1/vms", """{"id":"vm-dup","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Conflict);
    }
}
