using System.Diagnostics;
using System.Net;
using System.Text.Json;
using HaAgent.Testing.Etcd;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>
/// The REST API on etcd with its read cache: every 2xx mutation is visible to the very next GET of the same
/// coordinator (by id and in a listing), and a second coordinator on the same etcd shows the first one's writes.
/// </summary>
public sealed class ReadCacheApiTests
{
    [SkippableFact]
    public async Task Mutations_AreVisibleToTheNextGet_AndToASecondCoordinator()
    {
        using var etcd = await EtcdServer.StartAsync();
        await using var leader = new ApiHost(instanceId: "cache-api-1", settings: Settings(etcd, "cache-api-1"));
        await leader.WaitUntilLeadingAsync(TimeSpan.FromSeconds(15));
        await using var follower = new ApiHost(instanceId: "cache-api-2", settings: Settings(etcd, "cache-api-2"));
        var ops = leader.Client(ApiHost.OperatorToken);
        var otherOps = follower.Client(ApiHost.OperatorToken);
        await (await otherOps.GetAsync("/readyz")).JsonAsync(HttpStatusCode.OK);

        await (await ops.PostJsonAsync("/v1/vms", """{"id":"rc-v1","cpus":2,"memoryMiB":2048,"volumes":["ceph:rbd/rc1"]}""")).JsonAsync(HttpStatusCode.Created);
        for (var priority = 1; priority <= 25; priority++)
        {
            var changed = await (await ops.PutJsonAsync("/v1/vms/rc-v1/priority", $$"""{"priority":{{priority}}}""")).JsonAsync(HttpStatusCode.OK);
            var version = changed.GetProperty("version").GetInt64();
            var read = await (await ops.GetAsync("/v1/vms/rc-v1")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(priority, read.GetProperty("priority").GetInt32());
            Assert.Equal(version, read.GetProperty("version").GetInt64());
            var listed = await (await ops.GetAsync("/v1/vms?limit=10")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(version, listed.GetProperty("items")[0].GetProperty("version").GetInt64());
        }
        await (await ops.PostJsonAsync("/v1/hosts", """{"id":"rc-h1","cpus":4,"memoryMiB":4096}""")).JsonAsync(HttpStatusCode.Created);
        await (await ops.PostAsync("/v1/hosts/rc-h1/maintenance", null)).JsonAsync(HttpStatusCode.OK);
        Assert.True((await (await ops.GetAsync("/v1/hosts/rc-h1")).JsonAsync(HttpStatusCode.OK)).GetProperty("maintenance").GetBoolean());
        await (await ops.PostJsonAsync("/v1/rules", """{"name":"rc-r1","kind":"anti-affinity","strength":"hard","vmIds":["rc-v1","rc-v2"]}""")).JsonAsync(HttpStatusCode.Created);
        await (await ops.DeleteAsync("/v1/rules/rc-r1")).EnsureSuccessAsync();
        await (await ops.GetAsync("/v1/rules/rc-r1")).JsonAsync(HttpStatusCode.NotFound);

        // The follower's cache: the leader's last writes within a few seconds, identical bodies.
        var expected = (await (await ops.GetAsync("/v1/vms/rc-v1")).JsonAsync(HttpStatusCode.OK)).GetRawText();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var seen = await otherOps.GetAsync("/v1/vms/rc-v1");
            if (seen.StatusCode == HttpStatusCode.OK && (await seen.JsonAsync(HttpStatusCode.OK)).GetRawText() == expected
                && (await otherOps.GetAsync("/v1/hosts/rc-h1")).StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the second coordinator did not show the leader's writes");
            await Task.Delay(20);
        }
        await (await otherOps.GetAsync("/v1/rules/rc-r1")).JsonAsync(HttpStatusCode.NotFound);
        // A follower cannot write: 503 naming the leader, as before.
        await (await otherOps.PostJsonAsync("/v1/hosts", """{"id":"rc-h2","cpus":4,"memoryMiB":4096}""")).JsonAsync(HttpStatusCode.ServiceUnavailable);
    }

    private static Dictionary<string, string> Settings(EtcdServer etcd, string instanceId) => new()
    {
        ["Store:Kind"] = "Etcd",
        ["Store:Etcd:Endpoints"] = etcd.ClientUrl,
        ["Store:Etcd:KeyPrefix"] = "/api-cache/",
        ["Store:Etcd:InstanceId"] = instanceId,
        // Not a leadership test: a lease that survives this loaded box's scheduling hiccups.
        ["Store:Etcd:LeaseTtl"] = "00:00:05",
    };
}

internal static class ReadCacheApiTestsExtensions
{
    public static async Task EnsureSuccessAsync(this HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
