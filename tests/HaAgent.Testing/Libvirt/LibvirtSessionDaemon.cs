using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security;

namespace HaAgent.Testing.Libvirt;

/// <summary>
/// A private libvirtd in session mode, all its state under a temp dir (HOME, XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
/// XDG_CACHE_HOME): no /etc/libvirt, no /run/libvirt, no libvirt-qemu user. As root it drops to user nobody
/// (a root libvirtd is always the system daemon); otherwise it runs as the current user.
/// <list type="bullet">
/// <item><see cref="StartTestDriverAsync"/>: LIBVIRT_DRIVER_DIR points at an empty dir, so no hypervisor driver
/// loads and the daemon is ready in ~50 ms; it still serves libvirt's built-in test driver remotely
/// (<see cref="TestDefaultUri"/>, <see cref="TestNodeUri"/>): real RPC, keepalive, close callback, remote events.</item>
/// <item><see cref="StartQemuAsync"/>: the QEMU driver (qemu:///session); QEMU runs TCG. The first define pays
/// the capability probe (~2 s), a start ~1 s. stdio_handler="file" keeps virtlogd out of it.</item>
/// </list>
/// Dispose kills libvirtd and every QEMU it started, by PID.
/// </summary>
public sealed class LibvirtSessionDaemon : IDisposable
{
    private const int NobodyId = 65534;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private LibvirtSessionDaemon(TempDirectory directory, Process process)
    {
        _directory = directory;
        _process = process;
    }

    public int Pid => _process.Id;

    public string RuntimeDirectory => _directory.File("run");

    public string SocketPath => Path.Combine(RuntimeDirectory, "libvirt", "libvirt-sock");

    /// <summary>The shared test:///default node (one running domain named "test") served by this daemon.</summary>
    public string TestDefaultUri => $"test+unix:///default?socket={SocketPath}";

    /// <summary>QEMU driver of this daemon (only with <see cref="StartQemuAsync"/>).</summary>
    public string QemuUri => $"qemu+unix:///session?socket={SocketPath}";

    /// <summary>A test-driver node file served by this daemon; the daemon's user must be able to read it.</summary>
    public string TestNodeUri(LibvirtTestNode node) => $"test+unix://{node.NodeXmlPath}?socket={SocketPath}";

    /// <summary>Skips the calling test (SkipException) when libvirtd is missing.</summary>
    public static Task<LibvirtSessionDaemon> StartTestDriverAsync() => StartAsync(qemu: false);

    /// <summary>Skips the calling test (SkipException) when libvirtd, its QEMU driver or QEMU is missing.</summary>
    public static Task<LibvirtSessionDaemon> StartQemuAsync()
    {
        Requires.Tools("qemu-system-x86", "qemu-system-x86_64");
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"))
        {
            throw new Xunit.SkipException("needs libvirt's QEMU driver (apt-get install libvirt-daemon-driver-qemu)");
        }
        return StartAsync(qemu: true);
    }

    /// <summary>
    /// A 32 MiB TCG domain; QEMU runs it without a guest OS. With <paramref name="qcow2Image"/> it has that image as its
    /// virtio disk (QEMU then holds the image's write lock while it runs); without, no disk.
    /// </summary>
    public static string QemuDomainXml(string name, Guid uuid, string? qcow2Image = null)
    {
        var disk = qcow2Image is null ? "" : $"""

                <disk type="file" device="disk">
                  <driver name="qemu" type="qcow2"/>
                  <source file="{SecurityElement.Escape(qcow2Image)}"/>
                  <target dev="vda" bus="virtio"/>
                </disk>
            """;
        return $"""
            <domain type="qemu">
              <name>{SecurityElement.Escape(name)}</name>
              <uuid>{uuid:D}</uuid>
              <memory unit="MiB">32</memory>
              <vcpu>1</vcpu>
              <os><type arch="x86_64" machine="pc">hvm</type></os>
              <on_crash>destroy</on_crash>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>{disk}
                <controller type="usb" model="none"/>
                <memballoon model="none"/>
              </devices>
            </domain>
            """;
    }

    /// <summary>The PID of the running QEMU of <paramref name="domainName"/>, from libvirt's pid file.</summary>
    public int QemuPid(string domainName) =>
        int.Parse(File.ReadAllText(Path.Combine(QemuPidDirectory, domainName + ".pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Freezes the daemon (SIGSTOP): it keeps its sockets open but answers nothing, like a hung libvirtd.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    public Task ThawAsync() => SignalAsync("-CONT");

    /// <summary>SIGKILL: clients see the socket close (EOF). QEMUs it started keep running, as with a real libvirtd.</summary>
    public void Kill() => ProcessKiller.KillAndWait(Pid);

    public void Dispose()
    {
        ProcessKiller.KillAndWait(Pid);
        if (Directory.Exists(QemuPidDirectory))
        {
            foreach (var pidFile in Directory.EnumerateFiles(QemuPidDirectory, "*.pid"))
            {
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                {
                    ProcessKiller.KillAndWait(pid);
                }
            }
        }
        _process.Dispose();
        _directory.Dispose();
    }

    private string QemuPidDirectory => Path.Combine(RuntimeDirectory, "libvirt", "qemu", "run");

    private static bool IsRoot => Environment.UserName == "root";

    private static async Task<LibvirtSessionDaemon> StartAsync(bool qemu)
    {
        Requires.Tools("libvirt-daemon", "libvirtd");
        if (IsRoot)
        {
            Requires.Tools("util-linux", "setpriv");
            Requires.Tools("coreutils", "chown", "chmod");
        }
        var libvirtd = ProcessRunner.Which("libvirtd")!;

        var directory = new TempDirectory(qemu ? "libvirtd-qemu" : "libvirtd-test");
        try
        {
            var home = directory.File("home");
            var config = Path.Combine(home, ".config");
            var drivers = directory.File("no-drivers");
            Directory.CreateDirectory(Path.Combine(config, "libvirt"));
            Directory.CreateDirectory(directory.File("run"));
            Directory.CreateDirectory(drivers);
            await File.WriteAllTextAsync(Path.Combine(config, "libvirt", "qemu.conf"), "stdio_handler = \"file\"\n").ConfigureAwait(false);
            if (IsRoot)
            {
                await RunAsync("chown", "-R", $"{NobodyId}:{NobodyId}", home, directory.File("run")).ConfigureAwait(false);
                // CreateTempSubdirectory makes it 0700; nobody must reach its home and runtime dir inside.
                await RunAsync("chmod", "755", directory.Path).ConfigureAwait(false);
            }

            var startInfo = new ProcessStartInfo(IsRoot ? "setpriv" : libvirtd)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (IsRoot)
            {
                // setpriv execs libvirtd: the PID we hold is libvirtd's.
                foreach (var argument in new[] { $"--reuid={NobodyId}", $"--regid={NobodyId}", "--clear-groups", libvirtd })
                {
                    startInfo.ArgumentList.Add(argument);
                }
            }
            startInfo.Environment.Clear();
            startInfo.Environment["HOME"] = home;
            startInfo.Environment["XDG_RUNTIME_DIR"] = directory.File("run");
            startInfo.Environment["XDG_CONFIG_HOME"] = config;
            startInfo.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
            startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
            if (!qemu)
            {
                startInfo.Environment["LIBVIRT_DRIVER_DIR"] = drivers;
            }

            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start libvirtd");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var daemon = new LibvirtSessionDaemon(directory, process);
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

    private static async Task RunAsync(string command, params string[] arguments) =>
        (await ProcessRunner.RunAsync(command, arguments, TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            .EnsureSuccess(command);

    private Task SignalAsync(string signal) => RunAsync("kill", signal, Pid.ToString(CultureInfo.InvariantCulture));

    private async Task WaitReadyAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        // The socket file appears at bind(); only a successful connect() proves libvirtd is accepting.
        while (!await CanConnectAsync().ConfigureAwait(false))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"libvirtd (session) exited with {_process.ExitCode}");
            }
            if (stopwatch.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"libvirtd (session) socket {SocketPath} not accepting after {ReadyTimeout}");
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
}
