using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Etcd;

/// <summary>
/// A single-member etcd (Debian etcd-server) on free 127.0.0.1 ports with its data under a temp dir, ready when
/// /health says so (~0.7 s) — or, with <see cref="EtcdServerOptions"/>, on a given address inside a network namespace
/// (the lab's storage namespace). Dispose kills it by PID. <see cref="Kill"/>, <see cref="Pause"/> and
/// <see cref="Resume"/> are for fault tests.
/// </summary>
public sealed class EtcdServer : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _directory;
    private readonly Process _process;
    private readonly string? _namespace;

    private EtcdServer(TempDirectory directory, Process process, string bindAddress, int clientPort, string? networkNamespace)
    {
        _directory = directory;
        _process = process;
        _namespace = networkNamespace;
        ClientUrl = string.Create(CultureInfo.InvariantCulture, $"http://{bindAddress}:{clientPort}");
        ClientPort = clientPort;
    }

    public int ClientPort { get; }

    public string ClientUrl { get; }

    public int Pid => _process.Id;

    /// <summary>Starts etcd; skips the calling test (SkipException) when etcd is not installed.</summary>
    public static Task<EtcdServer> StartAsync() => StartAsync(new EtcdServerOptions());

    /// <summary>Starts etcd as <paramref name="options"/> say; skips (SkipException) when etcd is not installed.</summary>
    public static async Task<EtcdServer> StartAsync(EtcdServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Requires.Tools("etcd-server", "etcd");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options).ConfigureAwait(false);
            }
            catch (PortTakenException) when (attempt < 3 && options.ClientPort is null)
            {
                // Fresh ports on the next attempt.
            }
        }
    }

    private static async Task<EtcdServer> StartOnceAsync(EtcdServerOptions options)
    {
        var directory = new TempDirectory("etcd");
        try
        {
            var clientPort = options.ClientPort ?? FreePort.Next();
            var peerPort = options.PeerPort ?? FreePort.Next();
            var etcd = ProcessRunner.Which("etcd")!;
            var startInfo = new ProcessStartInfo(options.NetworkNamespace is null ? etcd : ProcessRunner.Which("ip") ?? "ip")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (options.NetworkNamespace is { } ns)
            {
                // `ip netns exec` execs in place: the PID we hold is etcd's, so Kill/Pause reach etcd itself.
                foreach (var argument in new[] { "netns", "exec", ns, etcd })
                {
                    startInfo.ArgumentList.Add(argument);
                }
            }
            var client = string.Create(CultureInfo.InvariantCulture, $"http://{options.BindAddress}:{clientPort}");
            var peer = string.Create(CultureInfo.InvariantCulture, $"http://{options.BindAddress}:{peerPort}");
            foreach (var argument in new[]
            {
                "--name", "n1",
                "--data-dir", options.DataDirectory ?? directory.File("data"),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", $"n1={peer}",
                "--initial-cluster-state", "new",
                "--logger", "zap",
                "--log-level", "error",
            })
            {
                startInfo.ArgumentList.Add(argument);
            }
            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start etcd");
            var log = new System.Text.StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new EtcdServer(directory, process, options.BindAddress, clientPort, options.NetworkNamespace);
            try
            {
                await server.WaitHealthyAsync(ReadyTimeout).ConfigureAwait(false);
                // "Healthy" may have come from another test's etcd that took one of our ports between FreePort and
                // our bind: ours then exits at once (address in use). A test would talk to, and freeze, the wrong one.
                await Task.Delay(300).ConfigureAwait(false);
                if (process.HasExited)
                {
                    var problem = $"etcd exited with code {process.ExitCode} right after {server.ClientUrl} answered healthy (port taken by another server)";
                    server.Dispose();
                    throw new PortTakenException(problem);
                }
            }
            catch (TimeoutException ex)
            {
                server.Dispose();
                string output;
                lock (log)
                {
                    output = log.ToString();
                }
                throw new TimeoutException($"{ex.Message}; etcd said: {output}", ex);
            }
            return server;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL: every client sees its connection drop; leases stop being renewed.</summary>
    public void Kill() => ProcessKiller.KillAndWait(Pid);

    /// <summary>SIGSTOP: etcd keeps its sockets open and answers nothing, like a hung server.</summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    public void Dispose()
    {
        if (ProcessKiller.IsAlive(Pid))
        {
            // A stopped process cannot die of SIGKILL until it is continued on some kernels' accounting; be sure.
            Signal("-CONT");
        }
        ProcessKiller.KillAndWait(Pid);
        _process.Dispose();
        _directory.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, Pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill");
        if (!kill.WaitForExit(5000))
        {
            throw new TimeoutException($"kill {signal} {Pid} did not finish");
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new TimeoutException($"etcd exited with code {_process.ExitCode} before it was healthy");
            }
            try
            {
                var body = _namespace is null
                    ? await http.GetStringAsync(new Uri(ClientUrl + "/health")).ConfigureAwait(false)
                    : (await ProcessRunner.RunAsync("ip", ["netns", "exec", _namespace, "curl", "-s", "-m", "1", ClientUrl + "/health"], TimeSpan.FromSeconds(3))
                        .ConfigureAwait(false)).StandardOutput;
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (TimeoutException)
            {
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException($"etcd at {ClientUrl} was not healthy within {timeout}");
    }

    private sealed class PortTakenException(string message) : Exception(message);
}
