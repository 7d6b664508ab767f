using System.Diagnostics;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// Publishes the three programs and builds the .deb and .rpm packages once per test run (publish is ~1-2 min on two
/// cores), then extracts the .debs into one tree so tests run exactly the shipped binaries.
/// HAAGENT_PACKAGING_PUBLISH=DIR reuses an existing packaging/publish.sh output (a fast loop while editing tests).
/// </summary>
public sealed class PackagesFixture : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan PackageTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _work = new("packaging");
    private readonly Lazy<string> _publish;
    private readonly Lazy<IReadOnlyList<string>> _debs;
    private readonly Lazy<IReadOnlyList<string>> _rpms;
    private readonly Lazy<string> _extracted;

    public PackagesFixture()
    {
        _publish = new Lazy<string>(Publish, LazyThreadSafetyMode.ExecutionAndPublication);
        _debs = new Lazy<IReadOnlyList<string>>(() => Build("build-deb.sh", "*.deb", "LINTIAN"), LazyThreadSafetyMode.ExecutionAndPublication);
        _rpms = new Lazy<IReadOnlyList<string>>(() => Build("build-rpm.sh", "*.rpm", "RPMLINT"), LazyThreadSafetyMode.ExecutionAndPublication);
        _extracted = new Lazy<string>(Extract, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static string Version { get; } = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "packaging", "VERSION")).Trim();

    public static string PackagingDirectory { get; } = Path.Combine(RepositoryPaths.Root, "packaging");

    /// <summary>packaging/publish.sh output: agent/, ctl/, coordinator/.</summary>
    public string PublishDirectory => _publish.Value;

    public IReadOnlyList<string> Debs => _debs.Value;

    public IReadOnlyList<string> Rpms => _rpms.Value;

    /// <summary>All three .debs unpacked (dpkg-deb -x) into one root.</summary>
    public string ExtractedRoot => _extracted.Value;

    public string Deb(string package) => Debs.Single(d => Path.GetFileName(d).StartsWith(package + "_", StringComparison.Ordinal));

    public string Rpm(string package) => Rpms.Single(r => Path.GetFileName(r).StartsWith(package + "-" + Version, StringComparison.Ordinal));

    public string NewDirectory(string name) => Directory.CreateDirectory(_work.File($"{name}-{Guid.NewGuid():N}")).FullName;

    private string Publish()
    {
        var reuse = Environment.GetEnvironmentVariable("HAAGENT_PACKAGING_PUBLISH");
        if (!string.IsNullOrEmpty(reuse) && File.Exists(Path.Combine(reuse, "agent", "haagent-agent")))
        {
            return reuse;
        }
        var output = _work.File("publish");
        Run(Path.Combine(PackagingDirectory, "publish.sh"), [output], PublishTimeout, null);
        return output;
    }

    private IReadOnlyList<string> Build(string script, string pattern, string linterVariable)
    {
        var output = _work.File("packages-" + Path.GetFileNameWithoutExtension(script));
        // Linters run in their own tests, which assert on what they say.
        Run(Path.Combine(PackagingDirectory, script), ["--publish", PublishDirectory, "--out", output], PackageTimeout,
            new Dictionary<string, string> { [linterVariable] = "0" });
        return Directory.GetFiles(output, pattern).Order(StringComparer.Ordinal).ToArray();
    }

    private string Extract()
    {
        var root = _work.File("extracted");
        Directory.CreateDirectory(root);
        foreach (var deb in Debs)
        {
            Run("dpkg-deb", ["-x", deb, root], TimeSpan.FromMinutes(1), null);
        }
        return root;
    }

    private static void Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment)
    {
        var clock = Stopwatch.StartNew();
        var result = ProcessRunner.RunAsync(fileName, arguments, timeout, environment: environment).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} failed ({result.ExitCode}) after {clock.Elapsed.TotalSeconds:F0} s:\n{result.StandardError}\n{result.StandardOutput}");
        }
        Console.WriteLine($"packaging fixture: {Path.GetFileName(fileName)} took {clock.Elapsed.TotalSeconds:F1} s");
    }

    public void Dispose() => _work.Dispose();
}
