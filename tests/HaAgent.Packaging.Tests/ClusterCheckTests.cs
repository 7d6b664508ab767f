using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HaAgent.Testing;

namespace HaAgent.Packaging.Tests;

/// <summary>The shipped haagentctl (NativeAOT, from the .deb) against the shipped coordinator, both real processes.</summary>
[Collection(PackagesCollection.Name)]
public sealed class ClusterCheckTests(PackagesFixture packages) : IAsyncLifetime
{
    private CoordinatorProcess? _coordinator;
    private Xunit.SkipException? _skip;
    private string _tokenFile = "";
    private string _badTokenFile = "";

    private CoordinatorProcess Coordinator => _skip is not null ? throw _skip : _coordinator!;

    private string Ctl => Path.Combine(packages.ExtractedRoot, "usr", "bin", "haagentctl");

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch (Xunit.SkipException e)
        {
            // A missing build tool (clang, dpkg-deb): each test rethrows it, so it skips with the reason.
            _skip = e;
        }
    }

    private async Task StartAsync()
    {
        var directory = packages.NewDirectory("coordinator");
        _coordinator = await CoordinatorProcess.StartAsync(
            Path.Combine(packages.ExtractedRoot, "usr", "lib", "haagent", "coordinator", "HaAgent.Coordinator"), directory);
        _tokenFile = Path.Combine(directory, "monitoring.token");
        await File.WriteAllTextAsync(_tokenFile, CoordinatorProcess.ViewerToken + "\n");
        _badTokenFile = Path.Combine(directory, "wrong.token");
        await File.WriteAllTextAsync(_badTokenFile, "not-the-token-0123456789abcdef");
        await _coordinator.PostAsync("/v1/hosts", """{"id":"h1","cpus":8,"memoryMiB":16384,"rack":"r1"}""");
        await _coordinator.PostAsync("/v1/hosts", """{"id":"h2","cpus":8,"memoryMiB":16384,"rack":"r2"}""");
        await _coordinator.PostAsync("/v1/vms", """{"id":"vm-a","cpus":2,"memoryMiB":2048,"volumes":["ceph:rbd/vm-a"],"protected":true}""");
        await _coordinator.PostAsync("/v1/vms", """{"id":"vm-b","cpus":1,"memoryMiB":1024,"volumes":["ceph:rbd/vm-b"],"protected":false}""");
    }

    public async Task DisposeAsync()
    {
        if (_coordinator is not null)
        {
            await _coordinator.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task CheckCluster_HealthyCluster_OkWithPerfData()
    {
        var result = await RunAsync("check", "cluster", "--url", Coordinator.Url.ToString(), "--token-file", _tokenFile);

        Assert.Equal(0, result.ExitCode);
        var line = SingleLine(result.StandardOutput);
        Assert.StartsWith("HAAGENT CLUSTER OK: leader coord-test epoch ", line, StringComparison.Ordinal);
        Assert.Contains("2 hosts", line, StringComparison.Ordinal);
        Assert.Contains("2 VMs, 1 protected", line, StringComparison.Ordinal);
        var perf = line[(line.IndexOf('|', StringComparison.Ordinal) + 1)..];
        Assert.Contains("'leader'=1;;;0;1", perf, StringComparison.Ordinal);
        Assert.Contains("'hosts'=2;;1:;0", perf, StringComparison.Ordinal);
        Assert.Contains("'maintenance'=0;0;;0;2", perf, StringComparison.Ordinal);
        Assert.Contains("'protected'=1;;;0;2", perf, StringComparison.Ordinal);
        Assert.Contains("'unprotected'=1;;;0;2", perf, StringComparison.Ordinal);
        Assert.Matches(@"'time'=\d+(\.\d+)?s;;;0", perf);
        // This coordinator runs without its engine (no agents here), so it exports no host verdicts: that part is skipped, and says so.
        Assert.Contains("host liveness not exported", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckCluster_HostInMaintenance_WarningByDefault()
    {
        await Coordinator.PostAsync("/v1/hosts/h2/maintenance", "{}");

        var result = await RunAsync("check", "cluster", "-u", Coordinator.Url.ToString(), "-T", _tokenFile);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("HAAGENT CLUSTER WARNING: 1 in maintenance", SingleLine(result.StandardOutput), StringComparison.Ordinal);
        Assert.Contains("'maintenance'=1;0;;0;2", result.StandardOutput, StringComparison.Ordinal);

        var relaxed = await RunAsync("check", "cluster", "-u", Coordinator.Url.ToString(), "-T", _tokenFile, "--maintenance-warning", "1");
        Assert.Equal(0, relaxed.ExitCode);
    }

    [SkippableFact]
    public async Task CheckCluster_UnprotectedAboveCriticalRange_Critical()
    {
        var result = await RunAsync("check", "cluster", "--url", Coordinator.Url.ToString(), "--token-file", _tokenFile, "--unprotected-critical", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("HAAGENT CLUSTER CRITICAL: 1 unprotected", SingleLine(result.StandardOutput), StringComparison.Ordinal);
        Assert.Contains("'unprotected'=1;;0;0;2", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckCluster_TooFewHosts_Critical()
    {
        var result = await RunAsync("check", "cluster", "--url", Coordinator.Url.ToString(), "--token-file", _tokenFile, "--hosts-critical", "3:");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("CRITICAL: 2 hosts", result.StandardOutput, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckCluster_WrongToken_UnknownNamingTheToken()
    {
        var result = await RunAsync("check", "cluster", "--url", Coordinator.Url.ToString(), "--token-file", _badTokenFile);

        Assert.Equal(3, result.ExitCode);
        var line = SingleLine(result.StandardOutput);
        Assert.StartsWith("HAAGENT CLUSTER UNKNOWN:", line, StringComparison.Ordinal);
        Assert.Contains("refused the token", line, StringComparison.Ordinal);
        Assert.Contains("401", line, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", line, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task CheckCluster_NoToken_UnknownNotCritical()
    {
        var result = await RunAsync("check", "cluster", "--url", Coordinator.Url.ToString());

        Assert.Equal(3, result.ExitCode);
    }

    [SkippableFact]
    public async Task CheckCluster_CoordinatorDown_CriticalQuickly()
    {
        var stopped = await CoordinatorProcess.StartAsync(
            Path.Combine(packages.ExtractedRoot, "usr", "lib", "haagent", "coordinator", "HaAgent.Coordinator"), packages.NewDirectory("down"));
        var url = stopped.Url.ToString();
        await stopped.DisposeAsync();
        await WaitUntilRefusedAsync(stopped.Url);

        var clock = Stopwatch.StartNew();
        var result = await RunAsync("check", "cluster", "--url", url, "--token-file", _tokenFile);

        Assert.True(result.ExitCode == 2, result.StandardOutput);
        var line = SingleLine(result.StandardOutput);
        Assert.StartsWith("HAAGENT CLUSTER CRITICAL: coordinator http://127.0.0.1:", line, StringComparison.Ordinal);
        Assert.True(line.Contains("unreachable: Connection refused", StringComparison.Ordinal), line);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [SkippableFact]
    public async Task CheckCluster_CoordinatorHangs_CriticalWithinTimeout()
    {
        // Accepts TCP connections and never answers: a hung coordinator or a black-holing proxy.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var clock = Stopwatch.StartNew();
        var result = await RunAsync("check", "cluster", "--url", $"http://127.0.0.1:{port}", "--token-file", _tokenFile, "--timeout", "1.5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did not answer within 1.5 s", result.StandardOutput, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(6));
    }

    [SkippableTheory]
    [InlineData("unknown option", new[] { "check", "cluster", "--url", "http://127.0.0.1:1", "--frobnicate" })]
    [InlineData("missing url", new[] { "check", "cluster" })]
    [InlineData("not a url", new[] { "check", "cluster", "--url", "ftp://x" })]
    [InlineData("bad range", new[] { "check", "cluster", "--url", "http://127.0.0.1:1", "--unprotected-warning", "5:2" })]
    [InlineData("bad timeout", new[] { "check", "cluster", "--url", "http://127.0.0.1:1", "--timeout", "0" })]
    [InlineData("timeout not a number", new[] { "check", "cluster", "--url", "http://127.0.0.1:1", "-t", "soon" })]
    [InlineData("token file missing", new[] { "check", "cluster", "--url", "http://127.0.0.1:1", "--token-file", "/nonexistent/token" })]
    [InlineData("unknown check", new[] { "check", "everything" })]
    public async Task CheckCluster_BadArguments_UnknownWithReason(string why, string[] args)
    {
        var result = await RunAsync(args);

        Assert.True(result.ExitCode == 3, $"{why}: exit {result.ExitCode}, {result.StandardOutput} {result.StandardError}");
        Assert.StartsWith("HAAGENT UNKNOWN: ", SingleLine(result.StandardOutput), StringComparison.Ordinal);
        Assert.StartsWith("haagentctl: ", result.StandardError, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Version_PrintsPackageVersion()
    {
        var result = await RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(PackagesFixture.Version, result.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    /// <summary>A SIGKILLed multi-threaded process can hold its listening socket a moment after its main thread is a zombie.</summary>
    private static async Task WaitUntilRefusedAsync(Uri url)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(url.Host, url.Port);
            }
            catch (SocketException)
            {
                return;
            }
            await Task.Delay(50);
        }
    }

    private Task<ProcessRunner.Result> RunAsync(params string[] args) =>
        _skip is not null ? throw _skip : ProcessRunner.RunAsync(Ctl, args, TimeSpan.FromSeconds(30));

    private static string SingleLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"a plugin prints one line, got: {output}");
        return lines[0];
    }
}
