using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security;

namespace HaAgent.Testing.Libvirt;

/// <summary>
/// A real libvirtd with the QEMU driver, in session mode (qemu:///session) as user nobody, everything under a temp
/// dir (XDG_RUNTIME_DIR, XDG_CONFIG_HOME, XDG_CACHE_HOME, HOME). Session mode needs no libvirt-qemu user, no
/// /etc/libvirt and no system paths; QEMU runs TCG (nobody has no /dev/kvm), 32 MiB, no disk. The first define
/// pays the QEMU capability probe (~2 s), a start takes ~1 s. stdio_handler="file" keeps virtlogd out of it.
/// Dispose kills libvirtd and every QEMU it started, by PID.
/// </summary>
public sealed class LibvirtQemuSession : IDisposable
{
    private const int NobodyId = 65534;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private LibvirtQemuSession(TempDirectory directory, Process process)
    {
        _directory = directory;
        _process = process;
    }

    public int Pid => _process.Id;

    public string RuntimeDirectory => _directory.File("run");

    public string SocketPath => Path.Combine(RuntimeDirectory, "libvirt", "libvirt-sock");

    public string Uri => $"qemu+unix:///session?socket={SocketPath}";

    public static async Task<LibvirtQemuSession> StartAsync()
    {
        Requires.Root();
        Requires.Tools("libvirt-daemon", "libvirtd");
        Requires.Tools("qemu-system-x86", "qemu-system-x86_64");
        Requires.Tools("util-linux", "setpriv");
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so"))
        {
            throw new Xunit.SkipException("needs libvirt's QEMU driver (apt-get install libvirt-daemon-driver-qemu)");
        }

        var directory = new TempDirectory("libvirt-qemu");
        try
        {
            var home = directory.File("home");
            var config = Path.Combine(home, ".config");
            Directory.CreateDirectory(Path.Combine(config, "libvirt"));
            Directory.CreateDirectory(directory.File("run"));
            await File.WriteAllTextAsync(Path.Combine(config, "libvirt", "qemu.conf"), "stdio_handler = \"file\"\n").ConfigureAwait(false);
            (await ProcessRunner.RunAsync("chown", ["-R", $"{NobodyId}:{NobodyId}", home, directory.File("run")], TimeSpan.FromSeconds(10)).ConfigureAwait(false))
                .EnsureSuccess("chown");
            // CreateTempSubdirectory makes it 0700; nobody must be able to reach its home and runtime dir inside.
            (await ProcessRunner.RunAsync("chmod", ["755", directory.Path], TimeSpan.FromSeconds(10)).ConfigureAwait(false))
                .EnsureSuccess("chmod");

            var startInfo = new ProcessStartInfo("setpriv")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // setpriv execs libvirtd: the PID we hold is libvirtd's.
            foreach (var argument in new[] { $"--reuid={NobodyId}", $"--regid={NobodyId}", "--clear-groups", ProcessRunner.Which("libvirtd")! })
            {
                startInfo.ArgumentList.Add(argument);
            }
            startInfo.Environment.Clear();
            startInfo.Environment["HOME"] = home;
            startInfo.Environment["XDG_RUNTIME_DIR"] = directory.File("run");
            startInfo.Environment["XDG_CONFIG_HOME"] = config;
            startInfo.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
            startInfo.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";

            var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start libvirtd");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var session = new LibvirtQemuSession(directory, process);
            try
            {
                await session.WaitReadyAsync().ConfigureAwait(false);
            }
            catch
            {
                session.Dispose();
                throw;
            }
            return session;
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>A 32 MiB TCG domain with no disk and no devices to speak of; it "runs" without a guest OS.</summary>
    public static string DomainXml(string name, Guid uuid) =>
        $"""
        <domain type="qemu">
          <name>{SecurityElement.Escape(name)}</name>
          <uuid>{uuid:D}</uuid>
          <memory unit="MiB">32</memory>
          <vcpu>1</vcpu>
          <os><type arch="x86_64" machine="pc">hvm</type></os>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <controller type="usb" model="none"/>
            <memballoon model="none"/>
          </devices>
        </domain>
        """;

    /// <summary>The PID of the running QEMU of <paramref name="domainName"/>, from libvirt's pid file.</summary>
    public int QemuPid(string domainName) =>
        int.Parse(File.ReadAllText(QemuPidFile(domainName)).Trim(), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        ProcessKiller.KillAndWait(Pid);
        // A killed libvirtd leaves its QEMUs running: kill them from their pid files.
        var pidDirectory = Path.Combine(RuntimeDirectory, "libvirt", "qemu", "run");
        if (Directory.Exists(pidDirectory))
        {
            foreach (var pidFile in Directory.EnumerateFiles(pidDirectory, "*.pid"))
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

    private string QemuPidFile(string domainName) => Path.Combine(RuntimeDirectory, "libvirt", "qemu", "run", domainName + ".pid");

    private async Task WaitReadyAsync()
    {
        var stopwatch = Stopwatch.StartNew();
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
