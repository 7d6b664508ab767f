namespace HaAgent.Testing;

/// <summary>
/// Skips (never silently passes) a test whose real component cannot run on this machine, printing why.
/// Use with Xunit.SkippableFact's [SkippableFact].
/// </summary>
public static class Requires
{
    /// <summary>Throws a skip naming the missing programs and the package that brings them.</summary>
    public static void Tools(string package, params string[] commands)
    {
        var missing = commands.Where(c => ProcessRunner.Which(c) is null).ToArray();
        if (missing.Length > 0)
        {
            throw new Xunit.SkipException($"needs {string.Join(", ", missing)} (apt-get install {package}); not found on this machine");
        }
    }

    /// <summary>Throws a skip when a shared library cannot be loaded.</summary>
    public static void Library(string soname, string package)
    {
        if (!HaAgent.NativeInterop.NativeLibraryProbe.CanLoad(soname))
        {
            throw new Xunit.SkipException($"needs {soname} (apt-get install {package}); it does not load on this machine");
        }
    }

    public static void Root()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
        {
            throw new Xunit.SkipException("needs root (network namespaces, cgroups)");
        }
    }
}
