using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.Etcd;

/// <summary>
/// A single-member etcd (Debian etcd-server) on free 127.0.0.1 ports with its data under a temp dir, ready when
/// /health says so (~0.7 s). Dispose kills it by PID. <see cref="Kill"/>, <see cref="Pause"/> and
/// <see cref="Resume"/> are for fault tests.
/// </summary>
public sealed class EtcdServer : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private EtcdServer(TempDirectory directory, Process process, int clientPort)
    {
        _directory = directory;
        _process = process;
        ClientUrl = $"http://127.0.0.1:{clientPort}";
    }

    public string ClientUrl { get; }

    public int Pid => _process.Id;

    /// <summary>Starts etcd; skips the calling test (SkipException) when etcd is not installed.</summary>
    public static async Task<EtcdServer> StartAsync()
    {
        Requires.Tools("etcd-server", "etcd");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync().ConfigureAwait(false);
            }
            catch (PortTakenException) when (attempt < 3)
            {
                // Fresh ports on the next attempt.
            }
        }
    }

    private static async Task<EtcdServer> StartOnceAsync()
    {
        var directory = new TempDirectory("etcd");
        try
        {
            var clientPort = FreePort.Next();
            var peerPort = FreePort.Next();
            var startInfo = new ProcessStartInfo(ProcessRunner.Which("etcd")!)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var client = $"http://127.0.0.1:{clientPort}";
            var peer = $"http://127.0.0.1:{peerPort}";
            foreach (var argument in new[]
            {
                "--name", "n1",
                "--data-dir", directory.File("data"),
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
            var server = new EtcdServer(directory, process, clientPort);
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
                var body = await http.GetStringAsync(new Uri(ClientUrl + "/health")).ConfigureAwait(false);
                if (body.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
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
