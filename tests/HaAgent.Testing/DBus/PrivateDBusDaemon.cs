using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Testing.DBus;

/// <summary>
/// A private dbus-daemon (no system bus touched) listening on a unix socket in a temp dir, run as a child with
/// --nofork and its own config (any name may be owned, anyone may call anything). <see cref="Kill"/> and
/// <see cref="RestartAsync"/> bring a bus down and up again at the same <see cref="Address"/>.
/// Dispose kills it by PID.
/// </summary>
public sealed class PrivateDBusDaemon : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory;
    private Process? _process;

    private PrivateDBusDaemon(TempDirectory directory)
    {
        _directory = directory;
    }

    public string SocketPath => _directory.File("bus");

    /// <summary>Without the daemon's guid, so the same address reaches a restarted daemon.</summary>
    public string Address => $"unix:path={SocketPath}";

    public int Pid => _process?.Id ?? 0;

    /// <summary>Skips the calling test (SkipException) when dbus-daemon is missing.</summary>
    public static async Task<PrivateDBusDaemon> StartAsync()
    {
        Requires.Tools("dbus", "dbus-daemon");
        var directory = new TempDirectory("dbus");
        var daemon = new PrivateDBusDaemon(directory);
        try
        {
            await File.WriteAllTextAsync(directory.File("bus.conf"), Config(daemon.SocketPath)).ConfigureAwait(false);
            await daemon.RestartAsync().ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>An address whose socket does not exist: what a host without a system bus looks like.</summary>
    public static string NonexistentAddress(TempDirectory directory) => $"unix:path={directory.File("no-bus-here")}";

    /// <summary>Starts a new daemon at the same socket path (after <see cref="Kill"/>; a stale socket file is replaced).</summary>
    public async Task RestartAsync()
    {
        Kill();
        var start = new ProcessStartInfo("dbus-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config-file={_directory.File("bus.conf")}");
        start.ArgumentList.Add("--nofork");
        start.ArgumentList.Add("--print-address=1");
        var process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        _process = process;
        process.ErrorDataReceived += static (_, _) => { }; // "failed to set fd limit" is expected without CAP_SYS_RESOURCE
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(ReadyTimeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }
        if (line is null || !line.StartsWith("unix:", StringComparison.Ordinal))
        {
            Kill();
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"dbus-daemon printed no address within {ReadyTimeout.TotalSeconds} s (got '{line}')"));
        }
    }

    /// <summary>SIGSTOP: connections stay open and new ones are accepted by the kernel, but nothing is answered.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    public Task ThawAsync() => SignalAsync("-CONT");

    /// <summary>SIGKILL: every client sees its connection close.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            ProcessKiller.KillAndWait(process.Id);
            process.WaitForExit(5000);
            process.Dispose();
            _process = null;
        }
    }

    public void Dispose()
    {
        Kill();
        _directory.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        var result = await ProcessRunner.RunAsync("kill", [signal, Pid.ToString(CultureInfo.InvariantCulture)]).ConfigureAwait(false);
        result.EnsureSuccess($"kill {signal} dbus-daemon");
    }

    private static string Config(string socketPath) =>
        $"""
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:path={socketPath}</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """;
}
