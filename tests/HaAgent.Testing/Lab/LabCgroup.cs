using System.Globalization;

namespace HaAgent.Testing.Lab;

/// <summary>
/// A cgroup v2 directory holding every process of one lab "host": freezing it stops the whole host at once (libvirtd,
/// QEMU, agent), cgroup.kill is kill -9 of all of them, including QEMUs that daemonized away from their parent.
/// </summary>
public sealed class LabCgroup : IDisposable
{
    private static readonly TimeSpan StateBound = TimeSpan.FromSeconds(10);

    public LabCgroup(string path)
    {
        Path = path;
        System.IO.Directory.CreateDirectory(path);
    }

    public string Path { get; }

    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>Where cgroup2 is mounted (/sys/fs/cgroup on pure v2, /sys/fs/cgroup/unified on hybrid), or null.</summary>
    public static string? FindRoot()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/mounts"))
            {
                var fields = line.Split(' ');
                if (fields.Length > 2 && fields[2] == "cgroup2" && File.Exists(System.IO.Path.Combine(fields[1], "cgroup.procs")))
                {
                    return fields[1];
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    public IReadOnlyList<int> Pids()
    {
        try
        {
            return File.ReadAllLines(ProcsFile)
                .Where(line => line.Length > 0)
                .Select(line => int.Parse(line, CultureInfo.InvariantCulture))
                .ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Moves a running process (and only it, not its existing children) into this cgroup.</summary>
    public void Adopt(int pid) => File.WriteAllText(ProcsFile, pid.ToString(CultureInfo.InvariantCulture));

    public bool IsFrozen => ReadEvent("frozen") == "1";

    /// <summary>SIGSTOP-like for the whole host, but no process can notice or be woken; returns once the kernel says frozen.</summary>
    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    /// <summary>kill -9 of every process in the cgroup; returns once none is left (bounded).</summary>
    public void Kill()
    {
        if (!System.IO.Directory.Exists(Path))
        {
            return;
        }
        File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.kill"), "1");
        var until = DateTime.UtcNow + StateBound;
        while (Pids().Count > 0 && DateTime.UtcNow < until)
        {
            Thread.Sleep(10);
        }
    }

    /// <summary>Thaws, kills, removes; never throws (teardown after a failed test must go on).</summary>
    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Path))
            {
                foreach (var child in System.IO.Directory.GetDirectories(Path))
                {
                    using var nested = new LabCgroup(child);
                }
                SetFrozen(false);
                Kill();
                RemoveDirectory();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void RemoveDirectory()
    {
        // rmdir of a cgroup fails with EBUSY for a moment after its last process exited.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                System.IO.Directory.Delete(Path);
                return;
            }
            catch (IOException) when (attempt < 99)
            {
                Thread.Sleep(20);
            }
        }
    }

    private void SetFrozen(bool frozen)
    {
        if (!System.IO.Directory.Exists(Path))
        {
            return;
        }
        File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.freeze"), frozen ? "1" : "0");
        var until = DateTime.UtcNow + StateBound;
        while (IsFrozen != frozen && DateTime.UtcNow < until)
        {
            Thread.Sleep(5);
        }
        if (IsFrozen != frozen)
        {
            throw new TimeoutException($"cgroup {Path} did not become {(frozen ? "frozen" : "thawed")} within {StateBound}");
        }
    }

    private string? ReadEvent(string key)
    {
        try
        {
            foreach (var line in File.ReadLines(System.IO.Path.Combine(Path, "cgroup.events")))
            {
                if (line.StartsWith(key + " ", StringComparison.Ordinal))
                {
                    return line[(key.Length + 1)..];
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
