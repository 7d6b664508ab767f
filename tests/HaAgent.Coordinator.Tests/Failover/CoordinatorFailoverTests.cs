using System.Diagnostics;
using HaAgent.Coordinator.Tests.Store;
using Xunit.Abstractions;

namespace HaAgent.Coordinator.Tests.Failover;

/// <summary>Issue 6's acceptance: three coordinator processes on etcd; kill -9 the leader; another leads within 3 s.</summary>
[Collection(EtcdCollection.Name)]
public sealed class CoordinatorFailoverTests(EtcdServerFixture etcd, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task ThreeCoordinatorProcesses_LeaderKilledWithSigkill_AnotherLeadsWithin3sWithHigherEpoch()
    {
        var server = etcd.Require();
        var prefix = $"/failover-{Guid.NewGuid():N}/";
        var coordinators = Enumerable.Range(1, 3).Select(i => CoordinatorProcess.StartOnEtcd(server.ClientUrl, prefix, $"c{i}")).ToList();
        try
        {
            var (leader, epoch) = await NextLeaderAsync(coordinators, TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.All(coordinators.Where(c => c != leader), c => Assert.False(c.LeadingEpochs.TryPeek(out _), $"{c.InstanceId} leads too"));

            var stopwatch = Stopwatch.StartNew();
            leader.Kill();
            coordinators.Remove(leader);
            var (successor, successorEpoch) = await NextLeaderAsync(coordinators, TimeSpan.FromSeconds(10));
            var takeover = stopwatch.Elapsed;
            output.WriteLine($"{leader.InstanceId} (epoch {epoch}) killed; {successor.InstanceId} leads with epoch {successorEpoch} after {takeover.TotalMilliseconds:F0} ms");

            Assert.True(takeover < TimeSpan.FromSeconds(3), $"takeover took {takeover.TotalMilliseconds:F0} ms");
            Assert.True(successorEpoch > epoch);
            leader.Dispose();
        }
        catch
        {
            foreach (var coordinator in coordinators)
            {
                output.WriteLine($"--- {coordinator.InstanceId}:\n{coordinator.Output}");
            }
            throw;
        }
        finally
        {
            foreach (var coordinator in coordinators)
            {
                coordinator.Dispose();
            }
        }
    }

    private static async Task<(CoordinatorProcess Coordinator, long Epoch)> NextLeaderAsync(IReadOnlyList<CoordinatorProcess> coordinators, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var waits = coordinators.Select(async c => (c, await c.LeadingEpochs.ReadAsync(deadline.Token))).ToList();
        var first = await Task.WhenAny(waits);
        // Cancel the other reads so they cannot swallow a later "leading" line.
        await deadline.CancelAsync();
        return await first;
    }
}
