using System.Globalization;
using System.Text;

namespace HaAgent.Agent.Vms;

/// <summary>
/// Finds a running domain's QEMU. libvirt has no API for the PID: its pid file (&lt;dir&gt;/NAME.pid) is checked first,
/// and a PID is trusted only if that process's command line carries the domain's <c>-uuid</c> (pid files can be stale
/// and PIDs reused). Otherwise /proc is scanned once (until <see cref="Invalidate"/>) for the <c>-uuid</c> argument
/// libvirt always passes, so many domains without a QEMU (test driver) cost one scan, not one each.
/// </summary>
internal sealed class QemuProcessLocator
{
    private static readonly byte[] UuidFlag = "-uuid\0"u8.ToArray();
    private readonly string? _pidDirectory;
    private Dictionary<Guid, int>? _scan;

    public QemuProcessLocator(string? pidDirectory)
    {
        _pidDirectory = pidDirectory;
    }

    /// <summary>Forget the last /proc scan (a QEMU may have started since).</summary>
    public void Invalidate() => _scan = null;

    public int? Find(string name, Guid uuid)
    {
        if (_pidDirectory is not null)
        {
            var pidFile = Path.Combine(_pidDirectory, name + ".pid");
            try
            {
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && UuidOf(pid) == uuid && !ProcStat.IsDead(ProcStat.ReadState(pid)))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        _scan ??= Scan();
        if (_scan.TryGetValue(uuid, out var found) && UuidOf(found) == uuid && !ProcStat.IsDead(ProcStat.ReadState(found)))
        {
            return found;
        }
        return null;
    }

    private static Dictionary<Guid, int> Scan()
    {
        var map = new Dictionary<Guid, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && UuidOf(pid) is { } uuid)
            {
                map[uuid] = pid;
            }
        }
        return map;
    }

    /// <summary>The value after <c>-uuid</c> on the process's command line, if any.</summary>
    private static Guid? UuidOf(int pid)
    {
        byte[] cmdline;
        try
        {
            cmdline = File.ReadAllBytes(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        var span = cmdline.AsSpan();
        var at = span.IndexOf(UuidFlag);
        if (at < 0)
        {
            return null;
        }
        var value = span[(at + UuidFlag.Length)..];
        var end = value.IndexOf((byte)0);
        return Guid.TryParse(Encoding.ASCII.GetString(end < 0 ? value : value[..end]), out var uuid) ? uuid : null;
    }
}
