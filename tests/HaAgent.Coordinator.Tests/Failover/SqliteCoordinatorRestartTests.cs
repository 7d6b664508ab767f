using HaAgent.Testing;

namespace HaAgent.Coordinator.Tests.Failover;

/// <summary>The default deployment: one coordinator process on a SQLite file, restarted.</summary>
public sealed class SqliteCoordinatorRestartTests : IDisposable
{
    /// <summary>Long, so a restart that leads within a fraction of it proves the stop resigned.</summary>
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("coordinator-sqlite");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Coordinator_StoppedWithSigtermAndStartedAgain_LeadsAtOnceWithAHigherEpoch()
    {
        var path = _directory.File("coordinator.db");
        long firstEpoch;
        using (var first = CoordinatorProcess.StartOnSqlite(path, "c1", LeaseTtl))
        {
            firstEpoch = await first.LeadingEpochs.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            await first.StopAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, first.ExitCode);
        }

        using var second = CoordinatorProcess.StartOnSqlite(path, "c1", LeaseTtl);
        // A graceful stop resigned, so the restart need not wait out the lease.
        var secondEpoch = await second.LeadingEpochs.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(1, firstEpoch);
        Assert.Equal(2, secondEpoch);
    }
}
