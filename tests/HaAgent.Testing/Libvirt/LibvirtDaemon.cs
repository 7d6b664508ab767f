using System.Diagnostics;
using System.Net.Sockets;

namespace HaAgent.Testing.Libvirt;

/// <summary>
/// A private libvirtd serving only libvirt's built-in test driver on a unix socket in a temp dir: ready in about
/// 50 ms because no hypervisor driver module is loaded (LIBVIRT_DRIVER_DIR points at an empty directory, so there
/// is no QEMU capability probe). Clients reach it as <c>test+unix:///default?socket=...</c>, which exercises the
/// real remote path: RPC, keepalive, close callback, events over the wire. libvirtd runs in its own mount
/// namespace with /run/libvirt bound to the temp dir, so nothing it writes leaks onto the machine.
/// Needs root (mount namespace) and the libvirt-daemon package. Killed by PID on dispose.
/// </summary>
public sealed class LibvirtDaemon : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private LibvirtDaemon(TempDirectory directory, Process process, string socketPath)
    {
        _directory = directory;
        _process = process;
        SocketPath = socketPath;
    }

    public int Pid => _process.Id;

    public string SocketPath { get; }

    /// <summary>The shared test:///default node (one running domain named "test"), served by this daemon.</summary>
    public string TestDefaultUri => $"test+unix:///default?socket={SocketPath}";

    /// <summary>A test-driver node file served by this daemon (the file must be readable by root).</summary>
    public string TestNodeUri(LibvirtTestNode node) => $"test+unix://{node.NodeXmlPath}?socket={SocketPath}";

    public string LogPath => _directory.File("libvirtd.log");

    /// <summary>Skips the calling test (SkipException) when root, unshare or libvirtd is missing.</summary>
    public static async Task<LibvirtDaemon> StartAsync()
    {
        Requires.Root();
        Requires.Tools("util-linux", "unshare", "mount");
        Requires.Tools("libvirt-daemon", "libvirtd");
        var libvirtd = ProcessRunner.Which("libvirtd")!;

        var directory = new TempDirectory("libvirtd");
        try
        {
            var run = Directory.CreateDirectory(directory.File("run")).FullName;
            var drivers = Directory.CreateDirectory(directory.File("drivers")).FullName;
            var config = directory.File("libvirtd.conf");
            await File.WriteAllTextAsync(config, $"""
                listen_tls = 0
                listen_tcp = 0
                unix_sock_dir = "{run}"
                auth_unix_rw = "none"
                auth_unix_ro = "none"
                log_outputs = "3:file:{directory.File("libvirtd.log")}"
                """).ConfigureAwait(false);

            var startInfo = new ProcessStartInfo("unshare")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // exec keeps the PID: what we start is what we kill.
            foreach (var argument in new[]
            {
                "--mount", "--propagation", "private", "sh", "-c",
                "mkdir -p /run/libvirt && mount --bind \"$0\" /run/libvirt && exec \"$1\" -f \"$2\" -p \"$0/libvirtd.pid\"",
                run, libvirtd, config,
            })
            {
                startInfo.ArgumentList.Add(argument);
            }
            startInfo.Environment["LIBVIRT_DRIVER_DIR"] = drivers;

            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start libvirtd");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var daemon = new LibvirtDaemon(directory, process, Path.Combine(run, "libvirt-sock"));
            try
            {
                await daemon.WaitReadyAsync().ConfigureAwait(false);
            }
            catch
            {
                daemon.Dispose();
                throw;
            }
            return daemon;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Freezes the daemon (SIGSTOP): it keeps its sockets open but answers nothing, like a hung libvirtd.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    public Task ThawAsync() => SignalAsync("-CONT");

    /// <summary>SIGKILL: clients see the socket close (EOF).</summary>
    public void Kill() => ProcessKiller.KillAndWait(Pid);

    public void Dispose()
    {
        ProcessKiller.KillAndWait(Pid);
        _process.Dispose();
        _directory.Dispose();
    }

    private async Task SignalAsync(string signal) =>
        (await ProcessRunner.RunAsync("kill", [signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            .EnsureSuccess($"kill {signal} {Pid}");

    private async Task WaitReadyAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        // The socket file appears at bind(); only a successful connect() proves libvirtd is accepting.
        while (!await CanConnectAsync().ConfigureAwait(false))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"libvirtd exited with {_process.ExitCode}; log: {ReadLog()}");
            }
            if (stopwatch.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"libvirtd socket {SocketPath} not there after {ReadyTimeout}; log: {ReadLog()}");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private async Task<bool> CanConnectAsync()
    {
        if (!File.Exists(SocketPath))
        {
            return false;
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath)).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "(no log)";
}
