using System.Diagnostics;
using HaAgent.Testing;
using HaAgent.Testing.Tls;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// The shipped haagentctl against the shipped coordinator serving HTTPS from Tls:CertificateFile/KeyFile (real
/// certificates made at test time): trusted by --ca-file or --pin-sha256, refused with a reason otherwise.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class ClusterCheckTlsTests(PackagesFixture packages)
{
    private string Ctl => Path.Combine(packages.ExtractedRoot, "usr", "bin", "haagentctl");

    private string Coordinator => Path.Combine(packages.ExtractedRoot, "usr", "lib", "haagent", "coordinator", "HaAgent.Coordinator");

    [SkippableFact]
    public async Task CheckCluster_HttpsCoordinator_TrustedByCaFileOrPin_RefusedOtherwise()
    {
        _ = packages.ExtractedRoot; // builds the packages once, or skips with the missing tool
        var directory = packages.NewDirectory("coordinator-tls");
        var ca = TestCertificates.NewCa();
        var caFile = ca.WriteCa(Path.Combine(directory, "ca.pem"));
        var server = ca.IssueServer();
        var (certificate, key) = TestCertificates.WritePem(server, Path.Combine(directory, "tls"));
        var port = FreePort.Next();
        var config = Path.Combine(directory, "etc");
        Directory.CreateDirectory(config);
        await File.WriteAllTextAsync(Path.Combine(config, "appsettings.json"), $$"""
            {
              "Urls": "https://127.0.0.1:{{port}}",
              "Tls": { "CertificateFile": "{{certificate}}", "KeyFile": "{{key}}" },
              "Store": { "Kind": "Sqlite", "Sqlite": { "Path": "{{Path.Combine(directory, "coordinator.db")}}", "InstanceId": "coord-tls" } },
              "Engine": { "Enabled": false },
              "Api": { "OpenReads": true }
            }
            """);
        var start = new ProcessStartInfo(Coordinator) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(config);
        start.Environment["DOTNET_gcServer"] = "0";
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = $"https://127.0.0.1:{port}";
            // Ready when the coordinator leads (SQLite store: within a second or two of listening).
            ProcessRunner.Result trusted = null!;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            do
            {
                Assert.False(process.HasExited, $"coordinator exited with {(process.HasExited ? process.ExitCode : 0)}");
                await Task.Delay(200);
                trusted = await ProcessRunner.RunAsync(Ctl, ["check", "cluster", "--url", url, "--ca-file", caFile], TimeSpan.FromSeconds(30));
            }
            while (!trusted.StandardOutput.Contains("'leader'=1", StringComparison.Ordinal) && DateTime.UtcNow < until);

            // No hosts registered: CRITICAL by the hosts range, but the coordinator was read over TLS ('leader'=1 too).
            Assert.DoesNotContain("TLS refused", trusted.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("unreachable", trusted.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("'hosts'=0", trusted.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("'leader'=1", trusted.StandardOutput, StringComparison.Ordinal);

            var pinned = await ProcessRunner.RunAsync(Ctl, ["check", "cluster", "--url", url, "--pin-sha256", TestCertificates.Sha256Hex(server)], TimeSpan.FromSeconds(30));
            Assert.Contains("'hosts'=0", pinned.StandardOutput, StringComparison.Ordinal);

            var system = await ProcessRunner.RunAsync(Ctl, ["check", "cluster", "--url", url], TimeSpan.FromSeconds(30));
            Assert.Equal(2, system.ExitCode);
            Assert.Contains("TLS refused", system.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("not trusted by the system store", system.StandardOutput, StringComparison.Ordinal);

            var wrongCa = TestCertificates.NewCa("Other CA").WriteCa(Path.Combine(directory, "other-ca.pem"));
            var refused = await ProcessRunner.RunAsync(Ctl, ["check", "cluster", "--url", url, "--ca-file", wrongCa], TimeSpan.FromSeconds(30));
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("does not chain to the CA file", refused.StandardOutput, StringComparison.Ordinal);

            var badPin = await ProcessRunner.RunAsync(Ctl, ["check", "cluster", "--url", url, "--pin-sha256", "xyz"], TimeSpan.FromSeconds(30));
            Assert.Equal(3, badPin.ExitCode);
        }
        finally
        {
            ProcessKiller.KillAndWait(process.Id);
        }
    }
}
