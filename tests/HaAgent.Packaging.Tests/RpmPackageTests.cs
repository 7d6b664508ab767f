using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

[Collection(PackagesCollection.Name)]
public sealed class RpmPackageTests(PackagesFixture packages)
{
    [SkippableFact]
    public async Task Files_EveryPackage_ListsItsFilesWithModes()
    {
        Requires.Tools("rpm", "rpm", "rpmbuild");

        var agent = await FilesAsync("haagent-agent");
        Assert.Equal("-rwxr-xr-x root root", agent["/usr/sbin/haagent-agent"]);
        Assert.Equal("-rw-r----- root root", agent["/etc/haagent/agent.json"]);
        Assert.Equal("-rw-r--r-- root root", agent["/usr/lib/systemd/system/haagent-agent.service"]);
        Assert.Equal("drwx------ root root", agent["/var/lib/haagent"]);

        var coordinator = await FilesAsync("haagent-coordinator");
        Assert.Equal("-rwxr-xr-x root root", coordinator["/usr/lib/haagent/coordinator/HaAgent.Coordinator"]);
        Assert.Equal("-rw-r----- root haagent", coordinator["/etc/haagent/coordinator/appsettings.json"]);
        Assert.Equal("drwxr-x--- haagent haagent", coordinator["/var/lib/haagent-coordinator"]);
        Assert.Equal("-rw-r--r-- root root", coordinator["/usr/lib/sysusers.d/haagent.conf"]);

        var tools = await FilesAsync("haagent-tools");
        Assert.Equal("-rwxr-xr-x root root", tools["/usr/bin/haagentctl"]);
        Assert.Equal("-rwxr-xr-x root root", tools["/usr/lib64/nagios/plugins/check_haagent_cluster"]);

        foreach (var listing in new[] { agent, coordinator, tools })
        {
            Assert.DoesNotContain(listing.Keys, static p => p.EndsWith(".dbg", StringComparison.Ordinal) || p.EndsWith(".pdb", StringComparison.Ordinal) || p.StartsWith("/usr/lib/.build-id", StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Requires_NamesTheDlopenedLibrariesAndNothingPrivate()
    {
        Requires.Tools("rpm", "rpm");

        var agent = await RunAsync("rpm", "-qpR", packages.Rpm("haagent-agent"));
        Assert.Contains("libvirt.so.0()(64bit)", agent.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("glibc >= 2.34", agent.StandardOutput, StringComparison.Ordinal);
        var coordinator = await RunAsync("rpm", "-qpR", packages.Rpm("haagent-coordinator"));
        Assert.Contains("libssl.so.3()(64bit)", coordinator.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("lttng", coordinator.StandardOutput, StringComparison.Ordinal);
        // The bundled runtime's libraries are private: nothing else may come to depend on them.
        var provides = await RunAsync("rpm", "-qp", "--provides", packages.Rpm("haagent-coordinator"));
        Assert.DoesNotContain("libcoreclr", provides.StandardOutput, StringComparison.Ordinal);

        var scripts = await RunAsync("rpm", "-qp", "--scripts", packages.Rpm("haagent-agent"));
        Assert.DoesNotContain("enable --now", scripts.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[ -d /run/systemd/system ]", scripts.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Install_IntoThrowawayRoot_FilesLandWithModes()
    {
        Requires.Tools("rpm", "rpm");
        var root = packages.NewDirectory("rpm-root");
        (await RunAsync("rpm", "--root", root, "--initdb")).EnsureSuccess("rpm --initdb");

        var install = await RunAsync("rpm", ["--root", root, "-ivh", "--nodeps", "--noscripts", .. packages.Rpms]);

        Assert.True(install.ExitCode == 0, install.StandardError + install.StandardOutput);
        var query = await RunAsync("rpm", "--root", root, "-qa");
        Assert.Equal(3, query.StandardOutput.Split('\n').Count(static l => l.StartsWith("haagent-", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(root, "usr/sbin/haagent-agent")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(root, "etc/haagent/agent.json")));
        var version = await RunAsync(Path.Combine(root, "usr/bin/haagentctl"), "--version");
        Assert.StartsWith(PackagesFixture.Version, version.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Rpmlint_AllPackages_OnlyAcceptedFindings()
    {
        Requires.Tools("rpmlint", "rpmlint");

        var result = await RunAsync("rpmlint", [.. packages.Rpms]);

        Console.WriteLine("rpmlint:\n" + result.StandardOutput);
        // Each accepted finding is explained in packaging/README.md.
        string[] accepted =
        [
            "no-signature", "non-standard-dir-perm", "non-readable", "non-standard-uid", "non-standard-gid",
            "invalid-license", "no-manual-page-for-binary", "only-non-binary-in-usr-lib",
        ];
        var errors = result.StandardOutput.Split('\n')
            .Where(static l => l.Contains(": E: ", StringComparison.Ordinal) || l.Contains(": W: ", StringComparison.Ordinal))
            .Select(static l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 5)..].Split(' ')[0])
            .Where(t => !accepted.Contains(t))
            .Distinct()
            .ToList();
        Assert.True(errors.Count == 0, "unexpected rpmlint findings: " + string.Join(", ", errors) + "\n" + result.StandardOutput);
    }

    private async Task<Dictionary<string, string>> FilesAsync(string package)
    {
        var result = await RunAsync("rpm", "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\\n]", packages.Rpm(package));
        Assert.Equal(0, result.ExitCode);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static l => l.Split(' ', 4))
            .ToDictionary(static f => f[3], static f => $"{f[0]} {f[1]} {f[2]}", StringComparer.Ordinal);
    }

    private static Task<ProcessRunner.Result> RunAsync(string file, params string[] args) => ProcessRunner.RunAsync(file, args, TimeSpan.FromMinutes(2));
}
