using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using HaAgent.Core.Model;
using HaAgent.Core.Placement;

namespace HaAgent.Benchmarks.Placement;

/// <summary>
/// Issue target: the restart plan for every VM of a failed rack in a 10 000-host, 200 000-VM cluster under rules
/// in at most 200 ms, building the planner's indexes from the request included. <see cref="PlanRackRestart"/> is
/// that number; <see cref="DryRunRackFailure"/> adds finding the rack's VMs in the running map (the dry run an
/// operator asks for).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Percentiles))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20)]
public class RackFailurePlanBenchmark
{
    private readonly RestartPlanner _planner = new();
    private PlacementRequest _cluster = null!;
    private PlacementRequest _rackFailure = null!;
    private FailureSet _failure = null!;

    public static IEnumerable<ClusterShape> Shapes => [ClusterShape.Tenth, ClusterShape.Target, ClusterShape.DenseRules];

    [ParamsSource(nameof(Shapes))]
    public ClusterShape Cluster { get; set; } = ClusterShape.Target;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = ClusterGenerator.Generate(Cluster);
        var rack = ClusterGenerator.RackLabel(Cluster.Racks / 3);
        _failure = FailureSet.OfDomain(FailureDomainLevel.Rack, rack);
        _rackFailure = ClusterGenerator.RackFailure(_cluster, rack);

        var plan = _planner.Plan(_rackFailure);
        if (plan.Placed.Count + plan.Unplaced.Count != _rackFailure.VmsToPlace.Count)
        {
            throw new InvalidOperationException("the plan lost VMs");
        }
        var withRules = plan.Placed.Count(d => d.RejectedHosts.Keys.Any(k => !k.StartsWith("no capacity", StringComparison.Ordinal) && !k.StartsWith("not eligible", StringComparison.Ordinal) && !k.StartsWith("start limit", StringComparison.Ordinal)));
        Console.WriteLine($"// {Cluster}: rack {rack} holds {_rackFailure.VmsToPlace.Count} VMs; {plan.Placed.Count} placed ({withRules} had hosts excluded by rules), {plan.Unplaced.Count} left down");
        foreach (var reason in plan.Unplaced.GroupBy(u => u.Reason).OrderByDescending(g => g.Count()).Take(5))
        {
            Console.WriteLine($"//   {reason.Count()} x {reason.Key}");
        }
    }

    [Benchmark]
    public PlacementPlan PlanRackRestart() => _planner.Plan(_rackFailure);

    [Benchmark]
    public FailureDryRunResult DryRunRackFailure() => FailureDryRun.Run(_cluster, _failure, _planner);

    private sealed class Percentiles : ManualConfig
    {
        public Percentiles() => AddColumn(StatisticColumn.P95);
    }
}
