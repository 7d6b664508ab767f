using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HaAgent.Testing.Iscsi;

/// <summary>
/// A throwaway userspace iSCSI target: <c>tgtd -f</c> as a child process on 127.0.0.1:PORT with its own control
/// number, one target with file-backed LUNs 1..N in a temp dir, open to every initiator. PR state lives in tgtd's
/// memory, so each instance starts clean. Several instances run side by side. Dispose always stops it by PID.
/// </summary>
public sealed class TgtTarget : IAsyncDisposable, IDisposable
{
    private const int Tid = 1;
    private const int MaxLogChars = 64 * 1024;
    private static readonly TimeSpan TgtadmTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _log = new();
    private bool _frozen;
    private bool _ownsControlNumber;
    private int _disposed;

    private TgtTarget(Process process, TempDirectory directory, int port, int controlNumber, string targetIqn, int lunCount)
    {
        _process = process;
        _directory = directory;
        Pid = process.Id;
        Port = port;
        ControlNumber = controlNumber;
        TargetIqn = targetIqn;
        LunCount = lunCount;
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>"127.0.0.1:PORT", the form libiscsi takes.</summary>
    public string Portal => $"127.0.0.1:{Port}";

    /// <summary>The <c>-C</c> number: tgtadm talks to this instance through /var/run/tgtd/socket.N.</summary>
    public int ControlNumber { get; }

    public string TargetIqn { get; }

    /// <summary>Data LUNs are 1..LunCount (LUN 0 is tgt's controller).</summary>
    public int LunCount { get; }

    public int Pid { get; }

    public string WorkDirectory => _directory.Path;

    public bool IsAlive => !_process.HasExited && ProcessKiller.IsAlive(Pid);

    /// <summary>What tgtd printed, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public string BackingFile(int lun) => _directory.File($"lun{lun}.img");

    /// <summary>Starts tgtd; skips the test (Xunit.SkipException) when the tgt package is missing.</summary>
    public static async Task<TgtTarget> StartAsync(int lunCount = 1, long lunSizeBytes = 16 * 1024 * 1024, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lunCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lunSizeBytes, 1024 * 1024);
        Requires.Tools("tgt", "tgtd", "tgtadm");

        var failures = new List<string>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // Ports and control numbers are picked optimistically; a clash shows up below and we try others.
            var port = FreePort.Next();
            var controlNumber = Random.Shared.Next(10_000, 32_768); // tgtd accepts -C 0..32767
            var target = await TryStartAsync(port, controlNumber, lunCount, lunSizeBytes, failures, cancellationToken).ConfigureAwait(false);
            if (target is not null)
            {
                return target;
            }
        }
        throw new InvalidOperationException("tgtd did not start: " + string.Join(" | ", failures));
    }

    private static async Task<TgtTarget?> TryStartAsync(int port, int controlNumber, int lunCount, long lunSizeBytes, List<string> failures, CancellationToken cancellationToken)
    {
        var directory = new TempDirectory("tgt");
        var startInfo = new ProcessStartInfo(ProcessRunner.Which("tgtd")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.Path,
        };
        foreach (var argument in (string[])["-f", "-C", Invariant(controlNumber), "--iscsi", $"portal=127.0.0.1:{Invariant(port)}"])
        {
            startInfo.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("Process.Start returned null for tgtd");
        }
        catch
        {
            directory.Dispose();
            throw;
        }

        var target = new TgtTarget(process, directory, port, controlNumber, $"iqn.2024-01.test.haagent:tgt{Invariant(port)}", lunCount);
        try
        {
            if (!await target.WaitReadyAsync(cancellationToken).ConfigureAwait(false))
            {
                failures.Add($"port {port} ctl {controlNumber}: {target.Log.Trim()}");
                await target.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            // A portal tgtd cannot bind is replaced by 0.0.0.0:3260 and [::]:3260: never accept that.
            var portals = await target.TgtadmAsync(cancellationToken, "--lld", "iscsi", "--mode", "portal", "--op", "show").ConfigureAwait(false);
            if (!portals.StandardOutput.Contains($"127.0.0.1:{Invariant(port)},", StringComparison.Ordinal)
                || portals.StandardOutput.Contains(":3260,", StringComparison.Ordinal))
            {
                failures.Add($"port {port} not bound: {portals.StandardOutput.Trim()}");
                await target.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            await target.ConfigureAsync(lunSizeBytes, cancellationToken).ConfigureAwait(false);
            return target;
        }
        catch
        {
            await target.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> WaitReadyAsync(CancellationToken cancellationToken)
    {
        var until = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (_process.HasExited)
            {
                return false; // e.g. "another tgtd is using /var/run/tgtd/socket.N.lock"
            }
            // Talk to tgtadm only once OUR tgtd holds the control lock: on a clash the socket belongs to another
            // instance, and a delete sent there would tear down somebody else's target.
            if (HoldsControlLock())
            {
                var show = await TgtadmAsync(cancellationToken, "--lld", "iscsi", "--mode", "target", "--op", "show").ConfigureAwait(false);
                if (show.ExitCode == 0 && HoldsControlLock())
                {
                    _ownsControlNumber = true;
                    return true;
                }
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
        return false;
    }

    private async Task ConfigureAsync(long lunSizeBytes, CancellationToken cancellationToken)
    {
        (await TgtadmAsync(cancellationToken, "--lld", "iscsi", "--mode", "target", "--op", "new", "--tid", Invariant(Tid), "--targetname", TargetIqn).ConfigureAwait(false))
            .EnsureSuccess("tgtadm target new");
        for (var lun = 1; lun <= LunCount; lun++)
        {
            using (var file = new FileStream(BackingFile(lun), FileMode.CreateNew, FileAccess.Write))
            {
                file.SetLength(lunSizeBytes); // sparse
            }
            (await TgtadmAsync(cancellationToken, "--lld", "iscsi", "--mode", "logicalunit", "--op", "new", "--tid", Invariant(Tid), "--lun", Invariant(lun),
                    "--backing-store", BackingFile(lun), "--bstype", "rdwr").ConfigureAwait(false))
                .EnsureSuccess($"tgtadm logicalunit new {lun}");
        }
        (await TgtadmAsync(cancellationToken, "--lld", "iscsi", "--mode", "target", "--op", "bind", "--tid", Invariant(Tid), "--initiator-address", "ALL").ConfigureAwait(false))
            .EnsureSuccess("tgtadm target bind ALL");
    }

    /// <summary>Runs <c>tgtadm -C N ...</c> against this instance, bounded in time.</summary>
    public Task<ProcessRunner.Result> TgtadmAsync(CancellationToken cancellationToken, params string[] arguments) =>
        ProcessRunner.RunAsync("tgtadm", ["-C", Invariant(ControlNumber), .. arguments], TgtadmTimeout, cancellationToken: cancellationToken);

    /// <summary>SIGKILL: the target vanishes mid-session, as a crashed storage node would (the kernel resets its connections).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }
        _process.WaitForExit(5_000);
    }

    /// <summary>SIGSTOP: the target keeps its connections open but answers nothing, as a hung array would.</summary>
    public async Task FreezeAsync()
    {
        _frozen = true;
        (await ProcessRunner.RunAsync("kill", ["-STOP", Invariant(Pid)], TgtadmTimeout).ConfigureAwait(false)).EnsureSuccess("kill -STOP tgtd");
    }

    /// <summary>SIGCONT after <see cref="FreezeAsync"/>.</summary>
    public async Task ThawAsync()
    {
        (await ProcessRunner.RunAsync("kill", ["-CONT", Invariant(Pid)], TgtadmTimeout).ConfigureAwait(false)).EnsureSuccess("kill -CONT tgtd");
        _frozen = false;
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// tgtd ignores SIGTERM while targets exist: force-delete the target, delete the system, and SIGKILL by PID
    /// if it is still there. Never throws; always removes the temp dir and the control socket files.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            if (_ownsControlNumber && !_process.HasExited && !_frozen)
            {
                await TryTgtadmAsync("--lld", "iscsi", "--mode", "target", "--op", "delete", "--force", "--tid", Invariant(Tid)).ConfigureAwait(false);
                await TryTgtadmAsync("--op", "delete", "--mode", "system").ConfigureAwait(false);
                _process.WaitForExit(2_000);
            }
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
            }
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
            // the process was never started or is already reaped
        }
        finally
        {
            ProcessKiller.KillAndWait(Pid);
            _process.Dispose();
            foreach (var file in _ownsControlNumber ? ControlFiles() : [])
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            _directory.Dispose();
        }
    }

    /// <summary>tgtd keeps a POSIX lock on /var/run/tgtd/socket.N.lock while it serves control number N.</summary>
    private bool HoldsControlLock()
    {
        var pid = " " + Invariant(Pid) + " ";
        try
        {
            return File.ReadLines("/proc/locks").Any(line => line.Contains("POSIX", StringComparison.Ordinal) && line.Contains(pid, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string[] ControlFiles() =>
        [$"/var/run/tgtd/socket.{Invariant(ControlNumber)}", $"/var/run/tgtd/socket.{Invariant(ControlNumber)}.lock"];

    private async Task TryTgtadmAsync(params string[] arguments)
    {
        try
        {
            await TgtadmAsync(CancellationToken.None, arguments).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // fall through to SIGKILL
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length < MaxLogChars)
            {
                _log.AppendLine(line);
            }
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => $"tgtd pid {Pid} on {Portal} (-C {ControlNumber}) {TargetIqn}";
}
