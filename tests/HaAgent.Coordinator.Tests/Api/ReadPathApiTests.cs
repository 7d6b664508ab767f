using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace HaAgent.Coordinator.Tests.Api;

public sealed class ReadPathApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    /// <summary>
    /// A write stuck on the database (here: another process's transaction holds SQLite's write lock, as a slow fsync
    /// or a backup would) must not stall reads: they run on their own WAL read connections.
    /// </summary>
    [Fact]
    public async Task Reads_WhileAWriteWaitsForTheDatabaseLock_AreAnsweredAtOnce()
    {
        var ops = fixture.Host.Client(ApiHost.OperatorToken);
        await (await ops.PostJsonAsync("/v1/vms", """{"id":"rp-v1","cpus":1,"memoryMiB":1}""")).JsonAsync(HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
        {
            await ops.PostJsonAsync("/v1/vms", $$"""{"id":"rp-x{{i}}","cpus":1,"memoryMiB":1}""");
        }

        using var blocker = new SqliteConnection($"Data Source={fixture.Host.DatabasePath};Pooling=False");
        blocker.Open();
        using var hold = blocker.BeginTransaction(deferred: false);
        var write = ops.PutJsonAsync("/v1/vms/rp-v1/priority", """{"priority":3}""");
        await Task.Delay(300);
        Assert.False(write.IsCompleted, "the write should be waiting for the database lock");

        var stopwatch = Stopwatch.StartNew();
        await (await ops.GetAsync("/v1/vms/rp-v1")).JsonAsync(HttpStatusCode.OK);
        var page = await (await ops.GetAsync("/v1/vms?after=rp-&limit=10")).JsonAsync(HttpStatusCode.OK);
        stopwatch.Stop();
        Assert.True(page.GetProperty("items").GetArrayLength() >= 4);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"reads took {stopwatch.Elapsed.TotalMilliseconds:F0} ms while a write waited");
        Assert.False(write.IsCompleted);

        hold.Rollback();
        var written = await (await write.WaitAsync(TimeSpan.FromSeconds(10))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, written.GetProperty("priority").GetInt32());
        var after = await (await ops.GetAsync("/v1/vms/rp-v1")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, after.GetProperty("priority").GetInt32());
    }
}
