using System.Diagnostics;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// Publishes the three programs and builds the .deb and .rpm packages once per test run (publish is ~1-2 min on two
/// cores), then extracts the .debs into one tree so tests run exactly the shipped binaries.
/// The publish output is cached in artifacts/test-publish/HASH, keyed by the contents of every source the three
/// programs build from, so a rerun with unchanged sources skips the publish (minutes on a busy two-core machine).
/// HAAGENT_PACKAGING_PUBLISH=DIR uses an existing packaging/publish.sh output instead.
/// </summary>
public sealed class PackagesFixture : IDisposable
{
    /// <summary>Measured: 2.7 min on two cores with other builds running, 7 min at load average 38.</summary>
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);

    /// <summary>What the shipped programs are built from; a change anywhere here invalidates the cached publish.</summary>
    private static readonly string[] PublishInputs =
    [
        "agent", "native-interop", "coordinator/HaAgent.Coordinator", "coordinator/HaAgent.Core", "protocol", "tools",
        "Directory.Build.props", "Directory.Packages.props", "global.json", "packaging/publish.sh",
    ];
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
        if (!string.IsNullOrEmpty(reuse) && IsComplete(reuse))
        {
            return reuse;
        }
        // NativeAOT links with clang; without it the publish cannot succeed, so the tests skip and say why.
        Requires.Tools("clang zlib1g-dev", "clang");
        var cacheRoot = Path.Combine(RepositoryPaths.Root, "artifacts", "test-publish");
        var output = Path.Combine(cacheRoot, SourceHash());
        if (IsComplete(output))
        {
            Console.WriteLine($"packaging fixture: publish cached in {output}");
            return output;
        }
        // One cached publish is kept (the coordinator alone is 110 MB).
        if (Directory.Exists(cacheRoot))
        {
            foreach (var stale in Directory.GetDirectories(cacheRoot))
            {
                Directory.Delete(stale, recursive: true);
            }
        }
        var building = output + ".partial";
        Run(Path.Combine(PackagingDirectory, "publish.sh"), [building], PublishTimeout, null);
        Directory.Move(building, output);
        Directory.Delete(Path.Combine(output, ".build"), recursive: true);
        return output;
    }

    private static bool IsComplete(string publish) =>
        File.Exists(Path.Combine(publish, "agent", "haagent-agent"))
        && File.Exists(Path.Combine(publish, "ctl", "haagentctl"))
        && File.Exists(Path.Combine(publish, "coordinator", "HaAgent.Coordinator"));

    private static string SourceHash()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var files = PublishInputs
            .Select(static input => Path.Combine(RepositoryPaths.Root, input))
            .SelectMany(static path => File.Exists(path) ? [path]
                : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [])
            .Where(static f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(RepositoryPaths.Root, file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private IReadOnlyList<string> Build(string script, string pattern, string linterVariable)
    {
        if (script == "build-deb.sh")
        {
            Requires.Tools("dpkg", "dpkg-deb");
        }
        else
        {
            Requires.Tools("rpm", "rpmbuild");
        }
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
