using HaAgent.Testing;
using Xunit.Abstractions;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// The packaged units under a real systemd: packaging/systemd-smoke.sh boots a debootstrapped Debian 12 (cached per
/// day) with systemd-nspawn, installs the three .debs and drives both services through systemctl (see the script's
/// header for every check). It skips, printing why, where the machine cannot do that (not root, no debootstrap or
/// systemd-nspawn, no Debian mirror, a container that does not boot).
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed class SystemdBootTests(PackagesFixture packages, ITestOutputHelper output)
{
    /// <summary>
    /// Measured 1 m 50 s with a cached root at load average 27 (the agent must outlive WatchdogSec=30s, then a
    /// SIGSTOPped one must be aborted); debootstrap adds ~2.5 min once a day.
    /// </summary>
    private static readonly TimeSpan SmokeTimeout = TimeSpan.FromMinutes(12);

    /// <summary>Every check the script makes; each must be reported "ok".</summary>
    private static readonly string[] Checks =
    [
        "coordinator active/running (Type=notify)",
        "coordinator answers http://127.0.0.1:",
        "coordinator runs as haagent, no capabilities, NoNewPrivs, seccomp",
        "agent active/running (Type=notify, WatchdogUSec=30s)",
        "agent runs as root with CAP_KILL only, NoNewPrivs, seccomp",
        "coordinator's engine counts the agent's host healthy",
        "haagentctl check agent: OK",
        "agent kicks its file watchdog under ProtectSystem=strict",
        "coordinator stopped: agent self-fences (haagentctl check agent CRITICAL)",
        "agent alive",
        "SIGSTOPped agent: systemd logs 'Watchdog timeout'",
        "agent restarted by systemd and active/running again",
        "systemctl stop: agent stopped cleanly",
        "bad config: agent failed with status 78 and was not restarted",
    ];

    [SkippableFact]
    public async Task Units_BootedUnderSystemd_StartNotifySelfFenceStayAliveAndWatchdogAbortsAHungAgent()
    {
        Requires.Root();
        Requires.Tools("systemd-container", "systemd-nspawn");
        Requires.Tools("debootstrap", "debootstrap");
        Requires.Tools("util-linux", "nsenter");
        Requires.Tools("curl", "curl");
        var debs = Path.GetDirectoryName(packages.Deb("haagent-agent"))!;

        var result = await ProcessRunner.RunAsync(
            Path.Combine(PackagesFixture.PackagingDirectory, "systemd-smoke.sh"),
            ["--debs", debs, "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)],
            SmokeTimeout);
        output.WriteLine(result.StandardOutput);
        output.WriteLine(result.StandardError);

        var skip = result.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("smoke: SKIP", StringComparison.Ordinal));
        Skip.If(result.ExitCode == 77, skip ?? "systemd-smoke.sh could not run here");
        Assert.True(result.ExitCode == 0, $"systemd-smoke.sh exit {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        foreach (var check in Checks)
        {
            Assert.Contains("smoke: ok   " + check, result.StandardOutput, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("smoke: FAIL", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("smoke: PASSED", result.StandardOutput, StringComparison.Ordinal);
    }
}
