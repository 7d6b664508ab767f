using System.Diagnostics;
using System.Net;
using HaAgent.Testing.Etcd;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>The API on etcd, with etcd frozen (SIGSTOP): every call answers 503 within the store's timeout, never 500 or a hang.</summary>
public sealed class StoreOutageApiTests
{
    [SkippableFact]
    public async Task EtcdFrozen_ReadsWritesAndReadiness_Answer503_LivenessStaysOk()
    {
        using var etcd = await EtcdServer.StartAsync();
        await using var host = new ApiHost(instanceId: "api-etcd-1", settings: new Dictionary<string, string>
        {
            ["Store:Kind"] = "Etcd",
            ["Store:Etcd:Endpoints"] = etcd.ClientUrl,
            ["Store:Etcd:KeyPrefix"] = "/api-outage/",
            ["Store:Etcd:InstanceId"] = "api-etcd-1",
        });
        await host.WaitUntilLeadingAsync(TimeSpan.FromSeconds(15));
        var ops = host.Client(ApiHost.OperatorToken);
        await (await ops.PostJsonAsync("/v1/hosts", """{"id":"etcd-h1","cpus":4,"memoryMiB":4096}""")).JsonAsync(HttpStatusCode.Created);
        await (await ops.GetAsync("/v1/hosts/etcd-h1")).JsonAsync(HttpStatusCode.OK);

        etcd.Pause();
        try
        {
            var watch = Stopwatch.StartNew();
            await (await ops.GetAsync("/v1/hosts")).JsonAsync(HttpStatusCode.ServiceUnavailable);
            await (await ops.GetAsync("/v1/hosts/etcd-h1")).JsonAsync(HttpStatusCode.ServiceUnavailable);
            await (await ops.PostJsonAsync("/v1/hosts", """{"id":"etcd-h2","cpus":4,"memoryMiB":4096}""")).JsonAsync(HttpStatusCode.ServiceUnavailable);
            await (await ops.GetAsync("/readyz")).JsonAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/healthz")).StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"outage answers took {watch.Elapsed}");
        }
        finally
        {
            etcd.Resume();
        }
    }
}
