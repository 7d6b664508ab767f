using System.Diagnostics;
using System.Net;
using HaAgent.Testing.Etcd;

namespace HaAgent.Coordinator.Tests.Api;

/// <summary>The API on etcd, with etcd frozen (SIGSTOP): every call answers 503 within the store's timeout (reads after the read cache's staleness bound), never 500 or a hang.</summary>
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
            // The read cache may answer from memory for its staleness bound (Store:Etcd:ReadCache:StaleAfter, 1 s),
            // never longer, and never with anything but 200 or 503.
            while (true)
            {
                var began = watch.Elapsed;
                var response = await ops.GetAsync("/v1/hosts");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    break;
                }
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True(began < TimeSpan.FromSeconds(1.2), $"answered from the cache {began.TotalMilliseconds:F0} ms after etcd froze");
                await Task.Delay(50);
            }
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
