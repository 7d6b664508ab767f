using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>
/// The shipped units: `systemd-analyze verify` against an install root holding the packaged binaries, and the
/// sandbox scored by `systemd-analyze security --offline=yes` (systemd 252+), asserted below a ceiling so a
/// loosened unit fails here. MemoryDenyWriteExecute is also checked through the kernel's prctl(PR_SET_MDWE)
/// (Linux 6.3+); the whole sandbox runs under a real systemd in <see cref="SystemdBootTests"/>.
/// </summary>
[Collection(PackagesCollection.Name)]
public sealed partial class SystemdUnitTests(PackagesFixture packages)
{
    /// <summary>Measured 2.1: the agent must stay root (CAP_KILL on libvirt-qemu's QEMUs, /dev/watchdog, network).</summary>
    private const double AgentExposureCeiling = 2.5;

    /// <summary>Measured 1.2 (sched_setaffinity allowed back for CoreCLR): network access and the JIT are left.</summary>
    private const double CoordinatorExposureCeiling = 1.5;

    [SkippableTheory]
    [InlineData("haagent-agent.service")]
    [InlineData("haagent-coordinator.service")]
    public async Task Verify_InstalledUnit_NoFindings(string unit)
    {
        Requires.Tools("systemd", "systemd-analyze");
        var root = UnitRoot();

        var result = await ProcessRunner.RunAsync("systemd-analyze", ["verify", "--root=" + root, unit], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0 && result.StandardError.Trim().Length == 0, $"verify {unit}: {result.ExitCode} {result.StandardError}{result.StandardOutput}");
    }

    [SkippableTheory]
    [InlineData("haagent-agent.service", AgentExposureCeiling)]
    [InlineData("haagent-coordinator.service", CoordinatorExposureCeiling)]
    public async Task Security_Unit_ExposureBelowCeiling(string unit, double ceiling)
    {
        Requires.Tools("systemd", "systemd-analyze");
        var root = UnitRoot();

        var result = await ProcessRunner.RunAsync("systemd-analyze", ["security", "--offline=yes", "--no-pager", "--root=" + root, unit], TimeSpan.FromSeconds(60));
        var match = Exposure().Match(result.StandardOutput + result.StandardError);
        Skip.If(!match.Success && result.StandardError.Contains("offline", StringComparison.OrdinalIgnoreCase), "systemd-analyze here has no --offline (needs systemd 252+)");

        Assert.True(match.Success, result.StandardOutput + result.StandardError);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine($"systemd-analyze security {unit}: exposure {exposure}");
        Assert.True(exposure <= ceiling, $"{unit} exposure {exposure} is above {ceiling}:\n{result.StandardOutput}");
    }

    [SkippableFact]
    public void AgentUnit_Privileges_OnlyKillCapabilityAndWatchdogDevice()
    {
        var unit = File.ReadAllLines(Path.Combine(UnitRoot(), "lib", "systemd", "system", "haagent-agent.service"));

        Assert.Contains("Type=notify", unit);
        Assert.Contains("CapabilityBoundingSet=CAP_KILL", unit);
        Assert.Contains("NoNewPrivileges=yes", unit);
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("ReadWritePaths=/var/lib/haagent", unit);
        Assert.Contains("DevicePolicy=closed", unit);
        Assert.Contains("DeviceAllow=/dev/watchdog rw", unit);
        Assert.Contains("MemoryDenyWriteExecute=yes", unit);
        Assert.Contains("RestartPreventExitStatus=78", unit);
        Assert.Contains("Restart=always", unit);
        // The agent pings every WATCHDOG_USEC/2 (AgentUnit_Watchdog_ShippedAgentPingsNotifySocket).
        Assert.Contains("WatchdogSec=30s", unit);
    }

    /// <summary>
    /// WatchdogSec= restarts an agent that stops sending WATCHDOG=1: the shipped binary must send it. systemd is faked
    /// the way sd_notify(3) sees it: NOTIFY_SOCKET (a datagram socket here), WATCHDOG_USEC and WATCHDOG_PID unset.
    /// </summary>
    [SkippableFact]
    public async Task AgentUnit_Watchdog_ShippedAgentPingsNotifySocket()
    {
        Requires.Library("libvirt.so.0", "libvirt0");
        var work = packages.NewDirectory("notify");
        var socketPath = Path.Combine(work, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath, ["WATCHDOG_USEC"] = "1000000" };

        var run = await AgentRun.StartAsync(Path.Combine(packages.ExtractedRoot, "usr/sbin/haagent-agent"), work, launcher: null, selfFenceSeconds: 30, environment);
        await using (run)
        {
            var pings = new List<string>();
            var buffer = new byte[256];
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            while (pings.Count < 3)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
                pings.Add(System.Text.Encoding.ASCII.GetString(buffer, 0, length));
            }
            Assert.All(pings, p => Assert.Equal("WATCHDOG=1", p));
            Assert.True(run.IsAlive, run.Log);
            Assert.Equal(0, await run.StopAsync());
        }
    }

    [SkippableFact]
    public void CoordinatorUnit_Privileges_UnprivilegedUserNoCapabilities()
    {
        var unit = File.ReadAllLines(Path.Combine(UnitRoot(), "lib", "systemd", "system", "haagent-coordinator.service"));

        Assert.Contains("User=haagent", unit);
        // Program.cs calls AddSystemdNotify(): READY=1 once Kestrel listens.
        Assert.Contains("Type=notify", unit);
        Assert.Contains("CapabilityBoundingSet=", unit);
        Assert.Contains("StateDirectory=haagent-coordinator", unit);
        Assert.Contains("PrivateDevices=yes", unit);
        Assert.Contains("ExecStart=/usr/lib/haagent/coordinator/HaAgent.Coordinator --contentRoot /etc/haagent/coordinator", unit);
        Assert.DoesNotContain("MemoryDenyWriteExecute=yes", unit);
        // Both found under a real systemd (SystemdBootTests): CoreCLR calls sched_setaffinity while starting, and
        // ProtectProc=invisible hides /proc/1/comm, so the coordinator must know systemd by NOTIFY_SOCKET (Hosting/).
        Assert.Contains("SystemCallFilter=sched_setaffinity", unit);
        Assert.Contains("ProtectProc=invisible", unit);
    }

    /// <summary>
    /// The agent unit sets MemoryDenyWriteExecute=yes. The kernel's PR_SET_MDWE is the same rule (no W+X mapping, no
    /// mprotect adding X): the NativeAOT agent must start, run and stop cleanly under it, haagentctl too. The
    /// coordinator's JIT cannot (it dies with SIGSEGV), which is why its unit leaves the option out.
    /// </summary>
    [SkippableFact]
    public async Task MemoryDenyWriteExecute_NativeAotBinaries_RunUnderIt()
    {
        Requires.Tools("clang", "cc");
        Requires.Library("libvirt.so.0", "libvirt0");
        var work = packages.NewDirectory("mdwe");
        var launcher = await MdweLauncher.BuildAsync(work);
        Skip.If(launcher is null, "this kernel has no PR_SET_MDWE (Linux 6.3+)");
        var root = packages.ExtractedRoot;

        var ctl = await ProcessRunner.RunAsync(launcher, [Path.Combine(root, "usr/bin/haagentctl"), "check", "cluster", "--url", $"http://127.0.0.1:{FreePort.Next()}"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, ctl.ExitCode);
        Assert.StartsWith("HAAGENT CLUSTER CRITICAL", ctl.StandardOutput, StringComparison.Ordinal);

        var run = await AgentRun.StartAsync(Path.Combine(root, "usr/sbin/haagent-agent"), work, launcher, selfFenceSeconds: 30);
        await using (run)
        {
            await run.WaitForLogAsync("Application started", TimeSpan.FromSeconds(15));
            await Task.Delay(1500);
            Assert.True(run.IsAlive, run.Log);
            Assert.Equal(0, await run.StopAsync());
        }

        var coordinator = await ProcessRunner.RunAsync(launcher, [Path.Combine(root, "usr/lib/haagent/coordinator/HaAgent.Coordinator"), "--urls", "http://127.0.0.1:0"], TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, coordinator.ExitCode);
    }

    private string UnitRoot()
    {
        var root = packages.ExtractedRoot;
        // verify --root resolves the default dependencies (sysinit.target, basic.target...) inside the root: lend it
        // this machine's unit directory, never overwriting the packaged units.
        if (Directory.Exists("/lib/systemd/system") && !File.Exists(Path.Combine(root, "lib", "systemd", "system", "sysinit.target")))
        {
            ProcessRunner.RunAsync("cp", ["-rn", "/lib/systemd/system/.", Path.Combine(root, "lib", "systemd", "system")], TimeSpan.FromSeconds(60))
                .GetAwaiter().GetResult().EnsureSuccess("copy unit directory");
        }
        return root;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+(?:\.\d+)?)")]
    private static partial Regex Exposure();
}
