using System.Text.RegularExpressions;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

[Collection(PackagesCollection.Name)]
public sealed partial class DebPackageTests(PackagesFixture packages)
{
    /// <summary>Tags accepted on purpose; each is explained in packaging/README.md.</summary>
    private static readonly string[] AcceptedLintianTags =
    [
        "initial-upload-closes-no-bugs",
        "no-manual-page",
        "non-standard-file-perm",
        "embedded-library",
        "unstripped-binary-or-object",
        "hardening-no-fortify-functions",
        "spelling-error-in-binary",
        "shared-library-lacks-prerequisites",
        "package-contains-no-arch-dependent-files",
        "executable-in-usr-lib",
        "extended-description-is-probably-too-short",
        "systemd-service-file-refers-to-unusual-wantedby-target",
    ];

    [SkippableFact]
    public async Task Contents_EveryPackage_ShipsItsFilesWithTheRightModes()
    {
        Requires.Tools("dpkg", "dpkg-deb");

        var agent = await ListAsync("haagent-agent");
        Assert.Equal("-rwxr-xr-x root/root", agent["./usr/sbin/haagent-agent"]);
        Assert.Equal("-rw-r--r-- root/root", agent["./lib/systemd/system/haagent-agent.service"]);
        Assert.Equal("-rw-r----- root/root", agent["./etc/haagent/agent.json"]);
        Assert.Equal("-rw-r--r-- root/root", agent["./usr/share/doc/haagent-agent/copyright"]);

        var coordinator = await ListAsync("haagent-coordinator");
        Assert.Equal("-rwxr-xr-x root/root", coordinator["./usr/lib/haagent/coordinator/HaAgent.Coordinator"]);
        Assert.Equal("-rw-r--r-- root/root", coordinator["./usr/lib/haagent/coordinator/HaAgent.Coordinator.dll"]);
        Assert.Equal("-rw-r--r-- root/root", coordinator["./usr/lib/haagent/coordinator/libe_sqlite3.so"]);
        Assert.Equal("-rw-r--r-- root/root", coordinator["./usr/lib/haagent/coordinator/libcoreclr.so"]);
        Assert.Equal("-rw-r--r-- root/root", coordinator["./lib/systemd/system/haagent-coordinator.service"]);
        Assert.Equal("-rw-r--r-- root/root", coordinator["./usr/lib/sysusers.d/haagent.conf"]);
        Assert.Equal("-rw-r----- root/root", coordinator["./etc/haagent/coordinator/appsettings.json"]);
        Assert.DoesNotContain(coordinator.Keys, static p => p.EndsWith("libcoreclrtraceptprovider.so", StringComparison.Ordinal));
        Assert.DoesNotContain(coordinator.Keys, static p => p.Contains("/.build/", StringComparison.Ordinal));
        // Every other file of the app is data, never executable.
        Assert.All(coordinator.Where(static f => f.Key.StartsWith("./usr/lib/haagent/", StringComparison.Ordinal) && f.Value.StartsWith('-') && !f.Key.EndsWith("/HaAgent.Coordinator", StringComparison.Ordinal)),
            static f => Assert.Equal("-rw-r--r-- root/root", f.Value));

        var tools = await ListAsync("haagent-tools");
        Assert.Equal("-rwxr-xr-x root/root", tools["./usr/bin/haagentctl"]);
        Assert.Equal("-rwxr-xr-x root/root", tools["./usr/lib/nagios/plugins/check_haagent_cluster"]);
        Assert.Equal("-rwxr-xr-x root/root", tools["./usr/lib/nagios/plugins/check_haagent_agent"]);

        foreach (var listing in new[] { agent, coordinator, tools })
        {
            Assert.DoesNotContain(listing.Keys, static p => p.EndsWith(".dbg", StringComparison.Ordinal) || p.EndsWith(".pdb", StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Control_ConffilesAndScripts_AreDeclared()
    {
        Requires.Tools("dpkg", "dpkg-deb");

        var agent = await RunAsync("dpkg-deb", "-I", packages.Deb("haagent-agent"), "conffiles");
        Assert.Equal("/etc/haagent/agent.json", agent.StandardOutput.Trim());
        var coordinator = await RunAsync("dpkg-deb", "-I", packages.Deb("haagent-coordinator"), "conffiles");
        Assert.Equal("/etc/haagent/coordinator/appsettings.json", coordinator.StandardOutput.Trim());

        var control = await RunAsync("dpkg-deb", "-f", packages.Deb("haagent-agent"), "Package", "Version", "Architecture", "Depends");
        Assert.Contains($"Version: {PackagesFixture.Version}-1", control.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64", control.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("libvirt0", control.StandardOutput, StringComparison.Ordinal);

        var postinst = await RunAsync("dpkg-deb", "-I", packages.Deb("haagent-agent"), "postinst");
        // Installed, never started before its config is filled in; systemctl only where systemd runs.
        Assert.DoesNotContain("enable --now", postinst.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[ -d /run/systemd/system ]", postinst.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Lintian_AllPackages_NoErrorsOnlyAcceptedWarnings()
    {
        Requires.Tools("lintian", "lintian");

        var result = await ProcessRunner.RunAsync("lintian", ["--fail-on", "error", "--no-tag-display-limit", .. packages.Debs], TimeSpan.FromMinutes(4));

        Console.WriteLine("lintian:\n" + result.StandardOutput + result.StandardError);
        var tags = LintianTag().Matches(result.StandardOutput).Select(static m => (Severity: m.Groups[1].Value, Tag: m.Groups[2].Value)).ToList();
        Assert.DoesNotContain(tags, static t => t.Severity == "E");
        Assert.Equal(0, result.ExitCode);
        var unexpected = tags.Where(static t => t.Severity == "W" && !AcceptedLintianTags.Contains(t.Tag)).Select(static t => t.Tag).Distinct().ToList();
        Assert.True(unexpected.Count == 0, "unexpected lintian warnings: " + string.Join(", ", unexpected));
    }

    [SkippableFact]
    public async Task Install_IntoThrowawayRoot_CreatesUserAndConfigGroupThenPurges()
    {
        Requires.Tools("dpkg", "dpkg", "systemd-sysusers");
        var root = NewDpkgRoot();

        var install = await RunAsync("dpkg", "--root", root, "--force-script-chrootless", "--force-depends", "--force-not-root",
            "-i", packages.Deb("haagent-agent"), packages.Deb("haagent-coordinator"), packages.Deb("haagent-tools"));
        Assert.True(install.ExitCode == 0, install.StandardError + install.StandardOutput);

        var status = await RunAsync("dpkg", "--root", root, "-l", "haagent-agent", "haagent-coordinator", "haagent-tools");
        Assert.Equal(3, status.StandardOutput.Split('\n').Count(static l => l.StartsWith("ii  haagent-", StringComparison.Ordinal)));
        var passwd = await File.ReadAllTextAsync(Path.Combine(root, "etc", "passwd"));
        var user = passwd.Split('\n').Single(static l => l.StartsWith("haagent:", StringComparison.Ordinal)).Split(':');
        Assert.Equal("/var/lib/haagent-coordinator", user[5]);
        var gid = int.Parse(user[3], System.Globalization.CultureInfo.InvariantCulture);
        var config = Path.Combine(root, "etc", "haagent", "coordinator", "appsettings.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config));
        Assert.Equal(gid, FileGroup(config));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(root, "etc", "haagent", "agent.json")));
        Assert.True(File.Exists(Path.Combine(root, "usr", "sbin", "haagent-agent")));

        // A conffile the admin edited survives removal; purge takes it away.
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "haagent"));
        await File.WriteAllTextAsync(Path.Combine(root, "var", "lib", "haagent", "agent-state.json"), "{}");
        var remove = await RunAsync("dpkg", "--root", root, "--force-script-chrootless", "--force-not-root", "-r", "haagent-agent");
        Assert.True(remove.ExitCode == 0, remove.StandardError);
        Assert.False(File.Exists(Path.Combine(root, "usr", "sbin", "haagent-agent")));
        Assert.True(File.Exists(Path.Combine(root, "etc", "haagent", "agent.json")));
        var purge = await RunAsync("dpkg", "--root", root, "--force-script-chrootless", "--force-not-root", "-P", "haagent-agent", "haagent-coordinator", "haagent-tools");
        Assert.True(purge.ExitCode == 0, purge.StandardError);
        Assert.False(File.Exists(Path.Combine(root, "etc", "haagent", "agent.json")));
        Assert.False(Directory.Exists(Path.Combine(root, "var", "lib", "haagent")));
        Assert.False(File.Exists(Path.Combine(root, "usr", "bin", "haagentctl")));
    }

    /// <summary>An empty dpkg database and the files systemd-sysusers edits: enough for dpkg --root.</summary>
    private string NewDpkgRoot()
    {
        var root = packages.NewDirectory("dpkg-root");
        foreach (var directory in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "etc", "var/log" })
        {
            Directory.CreateDirectory(Path.Combine(root, directory));
        }
        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/status"), "");
        File.WriteAllText(Path.Combine(root, "var/lib/dpkg/available"), "");
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc/group"), "root:x:0:\n");
        File.WriteAllText(Path.Combine(root, "etc/shadow"), "root:*:19000:0:99999:7:::\n");
        File.WriteAllText(Path.Combine(root, "etc/gshadow"), "root:*::\n");
        return root;
    }

    private async Task<Dictionary<string, string>> ListAsync(string package)
    {
        var result = await RunAsync("dpkg-deb", "-c", packages.Deb(package));
        Assert.Equal(0, result.ExitCode);
        // "-rwxr-xr-x root/root  6493144 2026-11-25 23:00 ./usr/sbin/haagent-agent"
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(static f => f[5], static f => $"{f[0]} {f[1]}", StringComparer.Ordinal);
    }

    private static int FileGroup(string path)
    {
        var stat = ProcessRunner.RunAsync("stat", ["-c", "%g", path], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return int.Parse(stat.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<ProcessRunner.Result> RunAsync(string file, params string[] args) => ProcessRunner.RunAsync(file, args, TimeSpan.FromMinutes(2));

    [GeneratedRegex(@"^([EWIPXO]): \S+(?: \S+)?: (\S+)", RegexOptions.Multiline)]
    private static partial Regex LintianTag();
}
