using System.CommandLine;
using HaAgent.Simulator.Scenario;

namespace HaAgent.Simulator;

internal static class Program
{
    internal static int Main(string[] args)
    {
        var scenario = new Argument<DirectoryInfo>("scenario") { Description = "A folder with README, cluster and cmdlist" };
        var check = new Option<bool>("--check") { Description = "Compare with the folder's log.expect; exit 1 on a difference" };
        var run = new Command("run", "Play a scenario and print its timeline") { scenario, check };
        run.SetAction(result => Run(result.GetValue(scenario)!, result.GetValue(check)));
        var root = new RootCommand("HaAgent decision-core simulator") { run };
        return root.Parse(args).Invoke();
    }

    private static int Run(DirectoryInfo folder, bool check)
    {
        if (!folder.Exists)
        {
            Console.Error.WriteLine($"scenario folder {folder.FullName} does not exist");
            return 2;
        }
        string log;
        try
        {
            log = ScenarioRunner.Render(folder.FullName, ScenarioRunner.Run(folder.FullName));
        }
        catch (ScenarioFormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        Console.Out.Write(log);
        if (!check)
        {
            return 0;
        }
        var golden = Path.Combine(folder.FullName, ScenarioRunner.GoldenFile);
        if (File.Exists(golden) && File.ReadAllText(golden).ReplaceLineEndings("\n") == log)
        {
            return 0;
        }
        Console.Error.WriteLine($"{golden}: the timeline differs from the golden log");
        return 1;
    }
}
