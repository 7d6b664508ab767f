using HaAgent.Core.Placement;
using HaAgent.Simulator.Scenario;
using HaAgent.Simulator.World;

namespace HaAgent.Simulator;

/// <summary>Loads a scenario folder (README, cluster, cmdlist) and plays it.</summary>
internal static class ScenarioRunner
{
    public const string GoldenFile = "log.expect";

    /// <summary>Plays the scenario in <paramref name="folder"/>. Malformed files throw <see cref="ScenarioFormatException"/>.</summary>
    public static SimWorld Run(string folder, IPlacementPlanner? planner = null)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var clusterPath = Path.Combine(folder, "cluster");
        var cmdlistPath = Path.Combine(folder, "cmdlist");
        foreach (var required in new[] { clusterPath, cmdlistPath, Path.Combine(folder, "README") })
        {
            if (!File.Exists(required))
            {
                throw new ScenarioFormatException($"{name}/{Path.GetFileName(required)}", 0, "file is missing");
            }
        }
        var cluster = ClusterFileParser.Parse(clusterPath, $"{name}/cluster");
        var commands = CmdlistParser.Parse(cmdlistPath, $"{name}/cmdlist", cluster);
        var world = new SimWorld(cluster, planner ?? new RestartPlanner());
        world.Run(commands);
        return world;
    }

    /// <summary>Plays a scenario given as text (property tests generate them).</summary>
    public static SimWorld RunText(string name, string cluster, string cmdlist, IPlacementPlanner? planner = null)
    {
        var parsed = ClusterFileParser.Parse(ScenarioLine.FromText(cluster, $"{name}/cluster"), $"{name}/cluster");
        var commands = CmdlistParser.Parse(ScenarioLine.FromText(cmdlist, $"{name}/cmdlist"), parsed);
        var world = new SimWorld(parsed, planner ?? new RestartPlanner());
        world.Run(commands);
        return world;
    }

    /// <summary>The log as written to <c>log.expect</c>: the README sentence as a comment, then the timeline.</summary>
    public static string Render(string folder, SimWorld world)
    {
        var readme = File.ReadAllText(Path.Combine(folder, "README")).Trim();
        var lines = new List<string> { $"# {readme.ReplaceLineEndings(" ")}" };
        lines.AddRange(world.Log);
        return string.Join('\n', lines) + "\n";
    }
}
