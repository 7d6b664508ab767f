using HaAgent.Simulator;
using HaAgent.Testing;

namespace HaAgent.Core.Tests.Simulator;

/// <summary>
/// Replays every folder of tests/scenarios and diffs its timeline against log.expect. Goldens change only when
/// HAAGENT_REWRITE_GOLDENS=1 is set (then they are rewritten and must be reviewed before committing).
/// </summary>
public sealed class ScenarioReplayTests
{
    private const string RewriteSwitch = "HAAGENT_REWRITE_GOLDENS";

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(RepositoryPaths.Scenarios).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Replay_Scenario_MatchesGoldenLogAndKeepsInvariant(string scenario)
    {
        var folder = Path.Combine(RepositoryPaths.Scenarios, scenario);
        var world = ScenarioRunner.Run(folder);
        var actual = ScenarioRunner.Render(folder, world);
        Assert.True(world.Violations.Count == 0, $"{scenario}: invariant broken: {string.Join("; ", world.Violations)}");

        var golden = Path.Combine(folder, ScenarioRunner.GoldenFile);
        if (Environment.GetEnvironmentVariable(RewriteSwitch) == "1")
        {
            File.WriteAllText(golden, actual);
            return;
        }
        Assert.True(File.Exists(golden), $"{golden} is missing: record it with {RewriteSwitch}=1, then review it");
        var expected = File.ReadAllText(golden).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            Assert.Fail($"{scenario}: timeline differs from log.expect ({RewriteSwitch}=1 rewrites it)\n{FirstDifference(expected, actual)}");
        }
    }

    [Fact]
    public void Replay_SameScenarioTwice_WritesIdenticalLogs()
    {
        var folder = Path.Combine(RepositoryPaths.Scenarios, "crash");
        Assert.Equal(ScenarioRunner.Render(folder, ScenarioRunner.Run(folder)), ScenarioRunner.Render(folder, ScenarioRunner.Run(folder)));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}:\n  expected: {el}\n  actual:   {al}";
            }
        }
        return "no line differs (line endings?)";
    }
}
