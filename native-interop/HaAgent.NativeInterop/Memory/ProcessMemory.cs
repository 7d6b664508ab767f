using System.Globalization;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop.Memory;

/// <summary>
/// What a process holds in memory (/proc/PID/smaps, status, smaps_rollup), and how it gives file pages back without
/// losing any: asking the kernel to reclaim pages of its mappings (madvise MADV_PAGEOUT, MADV_RANDOM against read-around
/// on the way back) and to drop a file's unmapped cached pages (posix_fadvise POSIX_FADV_DONTNEED).
/// </summary>
public static class ProcessMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>This process's mappings.</summary>
    public static IReadOnlyList<MemoryMapping> ReadMappings() => ReadMappings("self");

    /// <summary>Another process's mappings (needs the right to read its /proc entries).</summary>
    /// <exception cref="IOException">The process has gone.</exception>
    public static IReadOnlyList<MemoryMapping> ReadMappings(int pid) => ReadMappings(pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>This process's resident memory.</summary>
    public static ResidentMemory ReadResident() => ReadResident("self");

    public static ResidentMemory ReadResident(int pid) => ReadResident(pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Asks the kernel to reclaim the resident pages of <paramref name="mapping"/>, one of THIS process's mappings
    /// (madvise MADV_PAGEOUT). Never loses data: clean file pages are dropped (the page cache copy too when no other
    /// process maps the page) and read back from the file on the next access; pages copied on write (relocated data,
    /// written private mappings) are anonymous and stay without swap; pages other processes map are skipped.
    /// </summary>
    /// <returns>False when the range cannot be paged out (gone since it was read, locked, or a special mapping).</returns>
    /// <exception cref="ErrnoException">Anything else, e.g. EINVAL from a kernel older than 5.4 on an ordinary mapping.</exception>
    public static bool PageOut(MemoryMapping mapping) => Advise(mapping, Interop.Libc.MADV_PAGEOUT, "MADV_PAGEOUT");

    /// <summary>
    /// <see cref="PageOut(MemoryMapping)"/> for another process's mappings (process_madvise, Linux ≥ 5.10; needs
    /// CAP_SYS_NICE and ptrace rights over it): what a process would do to itself, done from outside — for measuring
    /// what a page-out costs a process's next operations.
    /// </summary>
    /// <returns>The bytes advised (resident or not).</returns>
    /// <exception cref="ErrnoException">ESRCH when the process has gone, EPERM without the rights, EINVAL on an older kernel.</exception>
    public static unsafe long PageOut(Processes.PidFd process, IReadOnlyList<MemoryMapping> mappings)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(mappings);
        long advised = 0;
        // UIO_MAXIOV is 1024 ranges per call.
        foreach (var chunk in mappings.Chunk(1024))
        {
            var vectors = new Interop.Libc.iovec[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                vectors[i] = new Interop.Libc.iovec { iov_base = (nint)chunk[i].Start, iov_len = (nuint)(chunk[i].End - chunk[i].Start) };
            }
            fixed (Interop.Libc.iovec* first = vectors)
            {
                var result = Interop.Libc.process_madvise(Interop.Libc.SYS_process_madvise, process.Handle, first, (nuint)vectors.Length, Interop.Libc.MADV_PAGEOUT, 0);
                if (result < 0)
                {
                    throw new ErrnoException("process_madvise", Marshal.GetLastPInvokeError(), $"MADV_PAGEOUT, pid {process.Pid}");
                }
                advised += result;
            }
        }
        return advised;
    }

    /// <summary>
    /// Marks <paramref name="mapping"/> (of THIS process) as randomly accessed (madvise MADV_RANDOM): a page fault then
    /// reads only the faulting page from the file, without the read-around that would bring (and map, by fault-around)
    /// its neighbours too. After a page-out, what comes back is what is really used.
    /// </summary>
    /// <returns>False when the range is gone or cannot be advised.</returns>
    public static bool AdviseRandomAccess(MemoryMapping mapping) => Advise(mapping, Interop.Libc.MADV_RANDOM, "MADV_RANDOM");

    private static bool Advise(MemoryMapping mapping, int advice, string name)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (mapping.Start % (ulong)PageSize != 0 || mapping.End <= mapping.Start)
        {
            throw new ArgumentException($"mapping {mapping.Start:x}-{mapping.End:x} is not a page-aligned range", nameof(mapping));
        }
        if (Interop.Libc.madvise((nint)mapping.Start, (nuint)(mapping.End - mapping.Start), advice) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        // ENOMEM: (part of) the range is no longer mapped; EINVAL on a locked or PFN mapping ([vvar], device memory).
        return errno is Errno.ENOMEM || (errno is Errno.EINVAL && !mapping.IsFileBacked)
            ? false
            : throw new ErrnoException("madvise", errno, $"{name} {mapping.Start:x}-{mapping.End:x} {mapping.Path}");
    }

    /// <summary>
    /// Drops the page-cache pages of the file at <paramref name="path"/> that no process maps (posix_fadvise
    /// POSIX_FADV_DONTNEED): after a page-out of a mapping, the pages start-up read ahead but never mapped stay cached,
    /// and a later fault maps them too (fault-around). Mapped and dirty pages stay. Use on files only this process
    /// reads: another process would read dropped pages back from disk.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened for reading.</exception>
    /// <exception cref="ErrnoException">The advice is refused.</exception>
    public static void DropCachedPages(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var error = Interop.Libc.posix_fadvise(file, 0, 0, Interop.Libc.POSIX_FADV_DONTNEED);
        if (error != 0)
        {
            throw new ErrnoException("posix_fadvise", error, $"POSIX_FADV_DONTNEED {path}");
        }
    }

    private static List<MemoryMapping> ReadMappings(string process)
    {
        using var reader = new StreamReader($"/proc/{process}/smaps");
        return Parse(reader);
    }

    /// <summary>Parses the text of /proc/PID/smaps (values in kB there, bytes in the result).</summary>
    internal static List<MemoryMapping> Parse(TextReader reader)
    {
        var result = new List<MemoryMapping>();
        MemoryMapping? current = null;
        while (reader.ReadLine() is { } line)
        {
            if (TryParseHeader(line, out var header))
            {
                if (current is not null)
                {
                    result.Add(current);
                }
                current = header;
                continue;
            }
            if (current is null)
            {
                continue;
            }
            if (!TryParseKiloBytes(line, out var key, out var bytes))
            {
                continue;
            }
            current = key switch
            {
                "Rss" => current with { Rss = bytes },
                "Pss" => current with { Pss = bytes },
                "Shared_Clean" => current with { SharedClean = bytes },
                "Shared_Dirty" => current with { SharedDirty = bytes },
                "Private_Clean" => current with { PrivateClean = bytes },
                "Private_Dirty" => current with { PrivateDirty = bytes },
                "Anonymous" => current with { Anonymous = bytes },
                "Swap" => current with { Swap = bytes },
                _ => current,
            };
        }
        if (current is not null)
        {
            result.Add(current);
        }
        return result;
    }

    /// <summary>A maps line: <c>start-end perms offset dev inode [path]</c> (the path may contain spaces).</summary>
    private static bool TryParseHeader(string line, out MemoryMapping mapping)
    {
        mapping = null!;
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var span = line.AsSpan();
        if (dash <= 0 || !ulong.TryParse(span[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start))
        {
            return false;
        }
        var fields = new string[5];
        var position = dash + 1;
        for (var i = 0; i < 5; i++)
        {
            var space = line.IndexOf(' ', position);
            if (space < 0)
            {
                if (i < 4)
                {
                    return false;
                }
                space = line.Length;
            }
            fields[i] = line[position..space];
            position = Math.Min(space + 1, line.Length);
        }
        // fields: end, perms, offset, dev, inode; the rest (after padding) is the path.
        if (!ulong.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
            || !ulong.TryParse(fields[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var offset)
            || !ulong.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            || fields[1].Length != 4)
        {
            return false;
        }
        mapping = new MemoryMapping(start, end, fields[1], offset, inode, line[position..].Trim(), 0, 0, 0, 0, 0, 0, 0, 0);
        return true;
    }

    private static ResidentMemory ReadResident(string process)
    {
        var status = ReadKiloBytes($"/proc/{process}/status");
        var rollup = ReadKiloBytes($"/proc/{process}/smaps_rollup");
        long Get(Dictionary<string, long> values, string key) => values.TryGetValue(key, out var v) ? v : 0;
        return new ResidentMemory(
            Get(status, "VmRSS"), Get(status, "RssAnon"), Get(status, "RssFile"), Get(status, "RssShmem"),
            Get(rollup, "Pss"), Get(rollup, "Private_Clean") + Get(rollup, "Private_Dirty"));
    }

    /// <summary>"Key:   123 kB" lines of a /proc file, in bytes.</summary>
    private static Dictionary<string, long> ReadKiloBytes(string path)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (TryParseKiloBytes(line, out var key, out var bytes))
            {
                values[key.ToString()] = bytes;
            }
        }
        return values;
    }

    /// <summary>A "Key:   123 kB" line of a /proc file (smaps, status, smaps_rollup): the key and the value in bytes.</summary>
    private static bool TryParseKiloBytes(string line, out ReadOnlySpan<char> key, out long bytes)
    {
        key = default;
        bytes = 0;
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !line.EndsWith(" kB", StringComparison.Ordinal)
            || !long.TryParse(line.AsSpan(colon + 1, line.Length - colon - 4).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
        {
            return false;
        }
        key = line.AsSpan(0, colon);
        bytes = kib * 1024;
        return true;
    }
}
