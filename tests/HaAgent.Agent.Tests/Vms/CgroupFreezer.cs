using System.Diagnostics;
using System.Globalization;

namespace HaAgent.Agent.Tests.Vms;

/// <summary>
/// Freezes one process with the cgroup v2 freezer: a fresh child cgroup, the process moved into it, cgroup.freeze = 1.
/// Unlike SIGSTOP, /proc then shows the frozen threads as sleeping ('S'), as a QEMU stuck in the kernel would look.
/// Disposing thaws, moves the process back to where it was and removes the cgroup.
/// </summary>
internal sealed class CgroupFreezer : IDisposable
{
    private readonly string _cgroup;
    private readonly string _originalProcs;
    private readonly int _pid;

    private CgroupFreezer(string cgroup, string originalProcs, int pid)
    {
        _cgroup = cgroup;
        _originalProcs = originalProcs;
        _pid = pid;
    }

    /// <summary>Skips the test when there is no writable cgroup v2 hierarchy with a freezer.</summary>
    public static CgroupFreezer Adopt(int pid)
    {
        HaAgent.Testing.Requires.Root();
        var root = FindCgroup2Mount() ?? throw new Xunit.SkipException("needs a cgroup v2 hierarchy (cgroup2 mount)");
        var own = File.ReadAllLines(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cgroup"))
            .FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..] ?? "/";
        var original = Path.Combine(root, own.TrimStart('/'));
        var cgroup = Path.Combine(root, $"haagent-freeze-{Guid.NewGuid():N}"[..26]);
        Directory.CreateDirectory(cgroup);
        if (!File.Exists(Path.Combine(cgroup, "cgroup.freeze")))
        {
            Directory.Delete(cgroup);
            throw new Xunit.SkipException("the cgroup v2 hierarchy has no cgroup.freeze (kernel < 5.2)");
        }
        File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        return new CgroupFreezer(cgroup, Path.Combine(original, "cgroup.procs"), pid);
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    public void Dispose()
    {
        try
        {
            SetFrozen(false);
            if (Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{_pid}")))
            {
                File.WriteAllText(_originalProcs, _pid.ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (IOException)
        {
            // The process is gone: nothing to move back.
        }
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Directory.Delete(_cgroup);
                return;
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(50); // a dying process leaves its cgroup a moment after it exits
            }
            catch (IOException)
            {
                return;
            }
        }
    }

    private void SetFrozen(bool frozen)
    {
        File.WriteAllText(Path.Combine(_cgroup, "cgroup.freeze"), frozen ? "1" : "0");
        // cgroup.events says when every task really is (un)frozen; bounded wait.
        var want = frozen ? "frozen 1" : "frozen 0";
        var deadline = Stopwatch.StartNew();
        while (!File.ReadAllLines(Path.Combine(_cgroup, "cgroup.events")).Contains(want))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException($"cgroup {_cgroup} not '{want}' after 5 s");
            }
            Thread.Sleep(10);
        }
    }

    private static string? FindCgroup2Mount() =>
        File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 2 && f[2] == "cgroup2")
            .Select(f => f[1])
            .FirstOrDefault();
}
