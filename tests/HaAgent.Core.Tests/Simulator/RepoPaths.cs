namespace HaAgent.Core.Tests.Simulator;

/// <summary>Finds the repository (the folder holding HaAgent.sln) from the test binaries.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Scenarios => Path.Combine(Root, "tests", "scenarios");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HaAgent.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no HaAgent.sln above {AppContext.BaseDirectory}");
    }
}
