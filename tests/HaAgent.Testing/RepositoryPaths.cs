namespace HaAgent.Testing;

/// <summary>Finds the repository (the folder holding HaAgent.sln) from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Scenarios => Path.Combine(Root, "tests", "scenarios");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HaAgent.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no HaAgent.sln above {AppContext.BaseDirectory}");
    }
}
