using HaAgent.Demo;
using HaAgent.Testing;
using HaAgent.Testing.Lab;
using Xunit.Abstractions;

namespace HaAgent.EndToEnd.Tests;

/// <summary>
/// Issue #6 item 4 with real processes: three coordinators on etcd, each on a hypervisor host beside its agent, real
/// QEMU on RBD. The stories are tests/HaAgent.Demo's CoordinatorFailoverScenario (the kill story is what
/// `haagent-demo coordinator-failover` shows); these tests assert every claim of them.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class CoordinatorFailoverTests(ITestOutputHelper output)
{
    [SkippableFact]
    public Task LeaderHostKilled_AnotherCoordinatorTakesOverFencesAndRestartsVmOnce() =>
        RunAsync(CoordinatorFailoverScenario.LeaderHostKillAsync);

    [SkippableFact]
    public Task LeaderKilledMidFailover_SuccessorResumesFromEtcdAndStartsVmOnce() =>
        RunAsync(CoordinatorFailoverScenario.MidFailoverLeaderKillAsync);

    [SkippableFact]
    public Task LeaderPausedMidFailoverThenResumed_ItClaimsNothingNoOrderOfItsEpochReachesAgents() =>
        RunAsync(CoordinatorFailoverScenario.MidFailoverLeaderPauseAsync);

    private async Task RunAsync(Func<Narrator, CancellationToken, Task<DemoResult>> scenario)
    {
        CheckRequirements();
        using var story = new StringWriter();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var result = await scenario(new Narrator(story), bound.Token);
            Skip.If(result.Unavailable is not null, result.Unavailable);
            Assert.True(result.Held, "failed claims: " + string.Join("; ", result.Failures));
        }
        finally
        {
            output.WriteLine(story.ToString());
        }
    }

    internal static void CheckRequirements()
    {
        LabRequirements.Check();
        Requires.Tools("etcd-server", "etcd");
        Requires.Tools("nftables", "nft");
        Requires.Tools("curl", "curl");
        Skip.If(LabPrograms.Missing() is not null, LabPrograms.Missing());
    }
}
