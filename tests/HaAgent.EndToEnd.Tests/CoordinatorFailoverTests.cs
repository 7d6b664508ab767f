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

    /// <summary>
    /// Fault → fence verified when the leader dies right after ordering the fence. The successor continues that fence at
    /// its first step (persisted as in progress), so this is detection (8 s dead-after) + takeover (2 s lease, 2–5 s under
    /// load) + one fence round trip: measured 10.40 s at load 18. Before, the successor judged the victim from its own
    /// term start and waited another 8 s of silence: 17.6–18.9 s (load 20–45), which this bound rejects.
    /// </summary>
    private static readonly TimeSpan MidFailoverFenceBound = TimeSpan.FromSeconds(16);

    /// <summary>Fault → web1 running on a survivor in the same story: the fence bound + the start (measured 11.22 s at load 18; was 18.3–20.9 s).</summary>
    private static readonly TimeSpan MidFailoverRunningBound = TimeSpan.FromSeconds(18);

    [SkippableFact]
    public Task LeaderKilledMidFailover_SuccessorResumesFromEtcdAndStartsVmOnce() =>
        RunAsync(CoordinatorFailoverScenario.MidFailoverLeaderKillAsync, AssertMidFailoverTimes);

    [SkippableFact]
    public Task LeaderPausedMidFailoverThenResumed_ItClaimsNothingAgentsAcceptNoNewOrderOfItsEpoch() =>
        RunAsync(CoordinatorFailoverScenario.MidFailoverLeaderPauseAsync);

    private async Task RunAsync(Func<Narrator, CancellationToken, Task<DemoResult>> scenario, Action<DemoResult, string>? times = null)
    {
        CheckRequirements();
        using var story = new StringWriter();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var result = await scenario(new Narrator(story), bound.Token);
            Skip.If(result.Unavailable is not null, result.Unavailable);
            Assert.True(result.Held, "failed claims: " + string.Join("; ", result.Failures));
            times?.Invoke(result, story.ToString());
        }
        finally
        {
            output.WriteLine(story.ToString());
        }
    }

    /// <summary>
    /// The successor's fence and restart come within the bounds above — only when the kill really fell between the fence
    /// order and the start order (the story says so); when the old leader got further, the successor had less to do.
    /// </summary>
    private void AssertMidFailoverTimes(DemoResult result, string story)
    {
        if (!story.Contains("fence verified no, web1's start ordered no", StringComparison.Ordinal))
        {
            output.WriteLine("NOTE the old leader got past the fence before it died: no mid-fence takeover to time");
            return;
        }
        var fenced = Figure(result, @"^fault → fence verified \(epoch \d+\): (?<s>\d+\.\d+) s$");
        var running = Figure(result, @"^fault → web1 running on \S+: (?<s>\d+\.\d+) s$");
        output.WriteLine($"mid-fence takeover: fence verified {fenced.TotalSeconds:F2} s (bound {MidFailoverFenceBound.TotalSeconds:F0} s), web1 running {running.TotalSeconds:F2} s (bound {MidFailoverRunningBound.TotalSeconds:F0} s), load {File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.True(fenced <= MidFailoverFenceBound, $"fault → fence verified {fenced.TotalSeconds:F2} s, bound {MidFailoverFenceBound.TotalSeconds:F0} s: did the successor wait for its own dead-after time?");
        Assert.True(running <= MidFailoverRunningBound, $"fault → web1 running {running.TotalSeconds:F2} s, bound {MidFailoverRunningBound.TotalSeconds:F0} s");
    }

    private static TimeSpan Figure(DemoResult result, string pattern)
    {
        var match = result.Figures.Select(f => System.Text.RegularExpressions.Regex.Match(f, pattern)).FirstOrDefault(m => m.Success);
        Assert.True(match is not null, $"no figure matches {pattern} among: {string.Join(" | ", result.Figures)}");
        return TimeSpan.FromSeconds(double.Parse(match.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture));
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
