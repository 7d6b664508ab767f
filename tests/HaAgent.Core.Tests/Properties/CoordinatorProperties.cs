using CsCheck;
using HaAgent.Core.Coordination;
using HaAgent.Core.Model;
using HaAgent.Simulator;

namespace HaAgent.Core.Tests.Properties;

/// <summary>Random fault timelines against the real coordinator in the simulated world.</summary>
public sealed class CoordinatorProperties
{
    /// <summary>HAAGENT_PROPERTY_ITER raises it for a longer hunt.</summary>
    private static readonly long Iterations =
        long.TryParse(System.Environment.GetEnvironmentVariable("HAAGENT_PROPERTY_ITER"), out var n) && n > 0 ? n : 300;

    [Fact]
    public void RandomFaults_NeverStartAVmWhileAnotherHostCanWriteIt()
    {
        RandomStory.Gen.Sample(story =>
        {
            var world = ScenarioRunner.RunText("random", story.Cluster(), story.Cmdlist());
            Assert.True(world.Violations.Count == 0, string.Join("; ", world.Violations));
        }, iter: Iterations, threads: 1, print: s => s.ToString());
    }

    [Fact]
    public void WildFaults_StormsAndPermanentFenceFailures_NeverStartAVmWhileAnotherHostCanWriteIt()
    {
        RandomStory.WildGen.Sample(story =>
        {
            var world = ScenarioRunner.RunText("wild", story.Cluster(), story.Cmdlist());
            Assert.True(world.Violations.Count == 0, string.Join("; ", world.Violations));
        }, iter: Iterations, threads: 1, print: s => s.ToString());
    }

    [Fact]
    public void FaultsWithLeaderTakeoversAndOperatorChanges_NeverStartAVmWhileAnotherHostCanWriteIt()
    {
        RandomStory.ChangesGen.Sample(story =>
        {
            var world = ScenarioRunner.RunText("changes", story.Cluster(), story.Cmdlist());
            Assert.True(world.Violations.Count == 0, string.Join("; ", world.Violations));
        }, iter: Iterations, threads: 1, print: s => s.ToString());
    }

    [Fact]
    public void RandomFaultsWithLeaderTakeovers_AfterRepair_EveryVmRunsOnExactlyItsHostOrIsReportedUnplaceable() =>
        RandomStory.TakeoverGen.Sample(story => AssertSettled(story, ScenarioRunner.RunText("takeover", story.Cluster(), story.Cmdlist())),
            iter: Iterations, threads: 1, print: s => s.ToString());

    [Fact]
    public void RandomFaults_AfterRepair_EveryVmRunsOnExactlyItsHostOrIsReportedUnplaceable() =>
        RandomStory.Gen.Sample(story => AssertSettled(story, ScenarioRunner.RunText("random", story.Cluster(), story.Cmdlist())),
            iter: Iterations, threads: 1, print: s => s.ToString());

    private static void AssertSettled(RandomStory story, HaAgent.Simulator.World.SimWorld world)
    {
        {
            var real = world.RealPlacement.GroupBy(p => p.VmId).ToDictionary(g => g.Key, g => g.Select(p => p.HostId).ToList());
            for (var v = 0; v < story.Vms.Length; v++)
            {
                var id = $"vm{v}";
                var (state, host) = world.Coordinator.VmStateOf(id);
                var copies = real.GetValueOrDefault(id) ?? [];
                if (state == VmState.Running)
                {
                    Assert.True(copies.Count == 1 && copies[0] == host,
                        $"{id}: coordinator says running on {host}, world runs it on [{string.Join(',', copies)}]");
                }
                else
                {
                    Assert.True(state == VmState.Pending, $"{id}: ended {state} on {host}");
                    Assert.Empty(copies);
                    var reported = world.Log.Any(l => l.Contains($"vm {id}: not placed", StringComparison.Ordinal)
                        || l.Contains($"vm {id}: restart limit reached", StringComparison.Ordinal));
                    Assert.True(reported, $"{id}: pending without an unplaceable or restart-limit report");
                }
            }
            for (var h = 0; h < story.Hosts; h++)
            {
                var state = world.Coordinator.HostStateOf($"h{h}");
                Assert.True(state is HostState.Healthy or HostState.Maintenance, $"h{h} ended {state} after repair");
            }
        }
    }

    [Fact]
    public void RandomFaults_SameStoryTwice_WritesTheSameLog()
    {
        RandomStory.Gen.Sample(story =>
        {
            var first = ScenarioRunner.RunText("random", story.Cluster(), story.Cmdlist()).Log;
            var second = ScenarioRunner.RunText("random", story.Cluster(), story.Cmdlist()).Log;
            Assert.Equal(first, second);
        }, iter: 50, threads: 1, print: s => s.ToString());
    }
}
