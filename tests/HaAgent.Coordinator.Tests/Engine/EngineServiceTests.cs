using System.Net.Http.Json;
using HaAgent.Coordinator.Tests.Api;

namespace HaAgent.Coordinator.Tests.Engine;

/// <summary>The engine as wired into the real coordinator service.</summary>
public sealed class EngineServiceTests
{
    [Fact]
    public async Task Metrics_EngineFamiliesExposedOnTheServiceEndpoint()
    {
        await using var host = await ApiHost.StartAsync(openReads: true);

        var text = await host.Client(null).GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("# TYPE haagent_leader_epoch gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_hosts_by_state gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_fences_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_restarts_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE haagent_detection_to_restart_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("haagent_engine_iteration_seconds_count ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_LeaderCountsFromTheEngine_FollowerSaysItHasNoInventory()
    {
        var engineOn = new Dictionary<string, string> { ["Engine:Enabled"] = "true" };
        await using var leader = new ApiHost(openReads: true, settings: engineOn);
        await leader.WaitUntilLeadingAsync(TimeSpan.FromSeconds(15));
        var ops = leader.Client(ApiHost.OperatorToken);
        Assert.True((await ops.PostAsJsonAsync("/v1/hosts", new { id = "inv-h1", cpus = 4, memoryMiB = 4096 })).IsSuccessStatusCode);
        Assert.True((await ops.PostAsJsonAsync("/v1/hosts", new { id = "inv-h2", cpus = 4, memoryMiB = 4096 })).IsSuccessStatusCode);
        Assert.True((await ops.PostAsync("/v1/hosts/inv-h2/maintenance", null)).IsSuccessStatusCode);
        Assert.True((await ops.PostAsJsonAsync("/v1/vms", new { id = "inv-v1", cpus = 1, memoryMiB = 512, volumes = new[] { "ceph:rbd/inv-v1" } })).IsSuccessStatusCode);
        Assert.True((await ops.PostAsJsonAsync("/v1/vms", new { id = "inv-v2", cpus = 1, memoryMiB = 512, @protected = false })).IsSuccessStatusCode);
        Assert.True((await ops.PostAsJsonAsync("/v1/vms", new { id = "inv-v3", cpus = 1, memoryMiB = 512 })).IsSuccessStatusCode);
        Assert.True((await ops.PostAsync("/v1/vms/inv-v3/unprotect", null)).IsSuccessStatusCode);

        // The engine applies the changes from the audit feed (polled every second): the counts follow without a listing.
        string text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await leader.Client(null).GetStringAsync(new Uri("/metrics", UriKind.Relative));
            if (text.Contains("haagent_vms{protection=\"unprotected\"} 2\n", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Contains("haagent_inventory_available 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_hosts{state=\"active\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_hosts{state=\"maintenance\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_vms{protection=\"protected\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("haagent_vms{protection=\"unprotected\"} 2\n", text, StringComparison.Ordinal);

        await using var follower = new ApiHost(openReads: true, databasePath: leader.DatabasePath, instanceId: "api-test-2", settings: engineOn);
        var followerText = await follower.Client(null).GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("haagent_leader 0\n", followerText, StringComparison.Ordinal);
        Assert.Contains("haagent_inventory_available 0\n", followerText, StringComparison.Ordinal);
        Assert.DoesNotContain("haagent_vms{", followerText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VmUpdate_WithoutHost_KeepsTheHostTheEngineWrote()
    {
        await using var host = await ApiHost.StartAsync(openReads: true);
        var ops = host.Client(ApiHost.OperatorToken);
        Assert.True((await ops.PostAsJsonAsync("/v1/vms", new { id = "keep-v1", cpus = 1, memoryMiB = 512, host = "keep-h1" })).IsSuccessStatusCode);

        // An operator resizes the VM and names no host: where it runs stays what the document says.
        Assert.True((await ops.PutAsJsonAsync("/v1/vms/keep-v1", new { cpus = 2, memoryMiB = 1024 })).IsSuccessStatusCode);

        var vm = await host.Client(null).GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/v1/vms/keep-v1", UriKind.Relative));
        Assert.Equal("keep-h1", vm.GetProperty("host").GetString());
        Assert.Equal(2, vm.GetProperty("cpus").GetInt32());
    }
}
