namespace HaAgent.Testing.Lab;

/// <summary>Where the coordinator and agent built beside the calling test or demo live (same configuration, framework-dependent).</summary>
public static class LabPrograms
{
    /// <summary>"Release" or "Debug": taken from this program's own bin/CONFIG/TFM folder.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Release";

    public static string Coordinator => Path.Combine(
        RepositoryPaths.Root, "coordinator", "HaAgent.Coordinator", "bin", Configuration, "net10.0", "HaAgent.Coordinator.dll");

    public static string Agent => Path.Combine(
        RepositoryPaths.Root, "agent", "HaAgent.Agent", "bin", Configuration, "net10.0", "haagent-agent.dll");

    public static string Dotnet => Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
        ? self
        : ProcessRunner.Which("dotnet") ?? "dotnet";

    /// <summary>Null when both are built, else what to build.</summary>
    public static string? Missing() =>
        new[] { Coordinator, Agent }.FirstOrDefault(p => !File.Exists(p)) is { } missing
            ? $"{missing} is not built (dotnet build HaAgent.sln -c {Configuration})"
            : null;
}
