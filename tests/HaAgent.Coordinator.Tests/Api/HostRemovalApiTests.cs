using System.Net;
using System.Text.Json;
using HaAgent.Coordinator.Engine;
using HaAgent.Coordinator.Engine.Documents;
using HaAgent.Coordinator.Store;
using Microsoft.Extensions.DependencyInjection;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>
/// DELETE /v1/hosts/{id}: a host leaves only in maintenance, holding no HA VM and not mid-fence — otherwise 409 naming
/// why and what to do; a fenced host may leave (its fence is kept by the engine). The engine's state is what the
/// leading engine committed (engine/snapshot, engine/vms shards): written here directly, the engine itself is off.
/// </summary>
public sealed class HostRemovalApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _operator = fixture.Host.Client(ApiHost.OperatorToken);

    [Fact]
    public async Task Delete_NotInMaintenance_Refused409ThenInMaintenanceRemoved204AndAudited()
    {
        await RegisterAsync("rm-plain");

        var refused = await (await _operator.DeleteAsync(new Uri("/v1/hosts/rm-plain", UriKind.Relative))).JsonAsync(HttpStatusCode.Conflict);
        Assert.Equal("not-in-maintenance", refused.GetProperty("reason").GetString());
        Assert.Contains("POST /v1/hosts/rm-plain/maintenance", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await _operator.GetAsync(new Uri("/v1/hosts/rm-plain", UriKind.Relative))).JsonAsync(HttpStatusCode.OK);

        await (await _operator.PostAsync(new Uri("/v1/hosts/rm-plain/maintenance", UriKind.Relative), null)).JsonAsync(HttpStatusCode.OK);
        using var removed = await _operator.DeleteAsync(new Uri("/v1/hosts/rm-plain", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await (await _operator.GetAsync(new Uri("/v1/hosts/rm-plain", UriKind.Relative))).JsonAsync(HttpStatusCode.NotFound);
        var audit = await _operator.ReadJsonAsync("/v1/audit?limit=1000");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), static r => r.GetProperty("record") is var record
            && record.GetProperty("action").GetString() == "host.delete" && record.GetProperty("subject").GetString() == "hosts/rm-plain"
            && record.GetProperty("before").GetProperty("maintenance").GetBoolean());
    }

    [Fact]
    public async Task Delete_HostHoldingHaVms_Refused409NamingThemEvenInMaintenance()
    {
        await RegisterAsync("rm-busy", maintenance: true);
        await PlaceAsync("rm-busy-vm2", "rm-busy");
        await PlaceAsync("rm-busy-vm1", "rm-busy");
        await PlaceAsync("rm-other-vm", "rm-elsewhere");

        var refused = await (await _operator.DeleteAsync(new Uri("/v1/hosts/rm-busy", UriKind.Relative))).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal("holds-ha-vms", refused.GetProperty("reason").GetString());
        Assert.Equal(["rm-busy-vm1", "rm-busy-vm2"], refused.GetProperty("vms").EnumerateArray().Select(static v => v.GetString()));
        Assert.Contains("drain it (POST /v1/hosts/rm-busy/drain)", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", (await _operator.DeleteAsync(new Uri("/v1/hosts/rm-busy", UriKind.Relative))).Content.Headers.ContentType?.MediaType);
        await (await _operator.GetAsync(new Uri("/v1/hosts/rm-busy", UriKind.Relative))).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_HostMidFence_Refused409NamingTheFence()
    {
        await RegisterAsync("rm-fencing", maintenance: true);
        await UpdateSnapshotAsync(s => s with
        {
            Fenced = new(s.Fenced) { ["rm-fencing"] = [new FenceTargetDocument("ceph-blocklist", ["127.99.0.7:0/0"], null, null, null)] },
            Fencing = new(s.Fencing ?? []) { ["rm-fencing"] = new FenceInProgressDocument(7, "fence-rm-fencing-1", "rm-peer", "dead: no network heartbeat for 9.0s") },
        });

        var refused = await (await _operator.DeleteAsync(new Uri("/v1/hosts/rm-fencing", UriKind.Relative))).JsonAsync(HttpStatusCode.Conflict);

        Assert.Equal("fencing", refused.GetProperty("reason").GetString());
        Assert.Contains("fence fence-rm-fencing-1 ordered in epoch 7, not verified yet", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await _operator.GetAsync(new Uri("/v1/hosts/rm-fencing", UriKind.Relative))).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_FencedHostWhoseVmsRunElsewhere_Removed204()
    {
        await RegisterAsync("rm-fenced", maintenance: true);
        await UpdateSnapshotAsync(s => s with
        {
            Fenced = new(s.Fenced) { ["rm-fenced"] = [new FenceTargetDocument("ceph-blocklist", ["127.99.0.8:0/0"], null, null, null)] },
        });
        await PlaceAsync("rm-fenced-vm", "rm-survivor"); // restarted elsewhere after the fence was proven

        using var removed = await _operator.DeleteAsync(new Uri("/v1/hosts/rm-fenced", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task Delete_UnknownMalformedOrViewer_404Or400Or403()
    {
        await (await _operator.DeleteAsync(new Uri("/v1/hosts/rm-nobody", UriKind.Relative))).JsonAsync(HttpStatusCode.NotFound);
        await (await _operator.DeleteAsync(new Uri("/v1/hosts/bad%20id", UriKind.Relative))).AssertFieldErrorAsync("id");
        await RegisterAsync("rm-viewer", maintenance: true);
        using var viewer = fixture.Host.Client(ApiHost.ViewerToken);
        using var forbidden = await viewer.DeleteAsync(new Uri("/v1/hosts/rm-viewer", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private async Task RegisterAsync(string id, bool maintenance = false)
    {
        await (await _operator.PostJsonAsync("/v1/hosts", $$"""{"id":"{{id}}","cpus":4,"memoryMiB":4096}""")).JsonAsync(HttpStatusCode.Created);
        if (maintenance)
        {
            await (await _operator.PostAsync(new Uri($"/v1/hosts/{id}/maintenance", UriKind.Relative), null)).JsonAsync(HttpStatusCode.OK);
        }
    }

    /// <summary>The engine's committed placement says <paramref name="vmId"/> is assigned to <paramref name="hostId"/>.</summary>
    private async Task PlaceAsync(string vmId, string hostId)
    {
        var store = fixture.Host.Services.GetRequiredService<ICoordinatorStore>();
        var key = CoordinatorEngine.ShardKey(CoordinatorEngine.ShardOf(vmId));
        var shard = await store.GetAsync(key, CancellationToken.None) is { } stored
            ? JsonSerializer.Deserialize(stored.Value.Span, EngineJsonContext.Default.VmShardDocument)!
            : new VmShardDocument(new Dictionary<string, string>(StringComparer.Ordinal), []);
        shard.Placement[vmId] = hostId;
        await WriteAsync(store, key, JsonSerializer.SerializeToUtf8Bytes(shard, EngineJsonContext.Default.VmShardDocument));
    }

    private async Task UpdateSnapshotAsync(Func<SnapshotDocument, SnapshotDocument> change)
    {
        var store = fixture.Host.Services.GetRequiredService<ICoordinatorStore>();
        var snapshot = await store.GetAsync(CoordinatorEngine.SnapshotKey, CancellationToken.None) is { } stored
            ? JsonSerializer.Deserialize(stored.Value.Span, EngineJsonContext.Default.SnapshotDocument)!
            : new SnapshotDocument(SnapshotDocument.CurrentFormatVersion, 7, 0, CoordinatorEngine.VmShardCount, []);
        await WriteAsync(store, CoordinatorEngine.SnapshotKey, JsonSerializer.SerializeToUtf8Bytes(change(snapshot), EngineJsonContext.Default.SnapshotDocument));
    }

    private static async Task WriteAsync(ICoordinatorStore store, string key, byte[] value)
    {
        var result = await store.CommitAsync(store.CurrentLeadership!, [DocumentWrite.Put(key, value)], null, CancellationToken.None);
        Assert.True(result.Committed);
    }
}
