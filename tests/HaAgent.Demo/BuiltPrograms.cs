namespace HaAgent.Demo;

/// <summary>Where the coordinator and agent built beside this demo live (same configuration, framework-dependent).</summary>
internal static class BuiltPrograms
{
    /// <summary>"Release" or "Debug": taken from this program's own bin/CONFIG/TFM folder.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Release";

    public static string Coordinator => Path.Combine(
        HaAgent.Testing.RepositoryPaths.Root, "coordinator", "HaAgent.Coordinator", "bin", Configuration, "net10.0", "HaAgent.Coordinator.dll");

    public static string Agent => Path.Combine(
        HaAgent.Testing.RepositoryPaths.Root, "agent", "HaAgent.Agent", "bin", Configuration, "net10.0", "haagent-agent.dll");

    public static string Dotnet => Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
        ? self
        : HaAgent.Testing.ProcessRunner.Which("dotnet") ?? "dotnet";
}
