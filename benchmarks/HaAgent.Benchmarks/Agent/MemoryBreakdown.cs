using HaAgent.NativeInterop.Memory;

namespace HaAgent.Benchmarks.Agent;

/// <summary>
/// Sorts a process's resident memory (its /proc/PID/smaps mappings) by owner, from the layout alone:
/// <list type="bullet">
/// <item>the GC: the chain of adjacent anonymous mappings that ends with its huge PROT_NONE reservation (regions and
/// bookkeeping, committed parts rw-p);</item>
/// <item>NativeAOT runtime data: the anonymous mapping right after the binary (its .bss, where the runtime rehydrates
/// its type data at start) and the binary's copied-on-write (relocated) pages;</item>
/// <item>glibc malloc: [heap] and the per-thread arenas (64 MiB-aligned reservations, rw-p head + PROT_NONE rest);</item>
/// <item>thread stacks: rw-p mappings of ≥ 64 KiB right after a one-page PROT_NONE guard;</item>
/// <item>library data: anonymous pages inside a library's mappings (relocated, written) and its adjacent .bss;</item>
/// <item>file pages per file (binary, each library); other anonymous memory (large malloc blocks, runtime).</item>
/// </list>
/// </summary>
internal static class MemoryBreakdown
{
    public const string Gc = "managed heap (GC regions + bookkeeping)";
    public const string AotData = "NativeAOT runtime data (.bss/rehydrated + relocated)";
    public const string Malloc = "glibc malloc ([heap] + arenas)";
    public const string Stacks = "thread stacks";
    public const string LibraryData = "libraries' data (relocated, .bss)";
    public const string OtherAnon = "other anonymous (large malloc blocks, runtime)";
    public const string BinaryFile = "binary file pages";

    private const ulong ArenaSize = 64UL << 20;
    private const ulong HugeReservation = 1UL << 30;

    /// <summary>Anonymous categories (bytes resident) and file pages per file (the binary under <see cref="BinaryFile"/>).</summary>
    public static (Dictionary<string, long> Anonymous, Dictionary<string, long> FilePages) Classify(IReadOnlyList<MemoryMapping> mappings, string binaryPath)
    {
        var anonymous = new Dictionary<string, long>(StringComparer.Ordinal);
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(Dictionary<string, long> into, string key, long bytes)
        {
            if (bytes > 0)
            {
                into[key] = into.GetValueOrDefault(key) + bytes;
            }
        }

        var gc = GcChain(mappings);
        for (var i = 0; i < mappings.Count; i++)
        {
            var m = mappings[i];
            var previous = i > 0 ? mappings[i - 1] : null;
            if (m.Path.StartsWith('/'))
            {
                var isBinary = m.Path == binaryPath;
                Add(files, isBinary ? BinaryFile : m.Owner, m.FileResident);
                Add(anonymous, isBinary ? AotData : LibraryData, m.Anonymous);
                continue;
            }
            if (m.Path == "[heap]")
            {
                Add(anonymous, Malloc, m.Anonymous);
                continue;
            }
            if (m.Path == "[stack]")
            {
                Add(anonymous, Stacks, m.Anonymous);
                continue;
            }
            if (m.Path.Length > 0)
            {
                Add(anonymous, OtherAnon, m.Rss);
                continue;
            }
            var afterFile = previous is not null && previous.End == m.Start && previous.Path.StartsWith('/');
            string category =
                gc.Contains(i) ? Gc
                : afterFile && previous!.Path == binaryPath ? AotData
                : afterFile ? LibraryData
                : IsArena(mappings, i) ? Malloc
                : previous is not null && previous.End == m.Start && previous.Permissions.StartsWith("---", StringComparison.Ordinal)
                    && previous.Size == Environment.SystemPageSize && m.Size >= 64 << 10 ? Stacks
                : OtherAnon;
            Add(anonymous, category, m.Rss);
        }
        return (anonymous, files);
    }

    /// <summary>
    /// Indexes of the GC's mappings: the largest PROT_NONE anonymous reservation (≥ 1 GiB) and the adjacent anonymous
    /// mappings below it, down to the first gap, file, thread stack or malloc arena.
    /// </summary>
    private static HashSet<int> GcChain(IReadOnlyList<MemoryMapping> mappings)
    {
        var chain = new HashSet<int>();
        var reservation = -1;
        for (var i = 0; i < mappings.Count; i++)
        {
            var m = mappings[i];
            if (m.Path.Length == 0 && m.Permissions.StartsWith("---", StringComparison.Ordinal) && (ulong)m.Size >= HugeReservation
                && (reservation < 0 || m.Size > mappings[reservation].Size))
            {
                reservation = i;
            }
        }
        if (reservation < 0)
        {
            return chain;
        }
        chain.Add(reservation);
        for (var i = reservation - 1; i >= 0; i--)
        {
            var m = mappings[i];
            var next = mappings[i + 1];
            if (m.End != next.Start || m.Path.Length != 0 || IsArena(mappings, i)
                || (i > 0 && mappings[i - 1].End == m.Start && mappings[i - 1].Size == Environment.SystemPageSize
                    && mappings[i - 1].Permissions.StartsWith("---", StringComparison.Ordinal) && m.Permissions.StartsWith("rw", StringComparison.Ordinal)))
            {
                break;
            }
            chain.Add(i);
        }
        return chain;
    }

    /// <summary>A glibc arena: a 64 MiB-aligned anonymous rw-p head whose PROT_NONE rest ends the 64 MiB.</summary>
    private static bool IsArena(IReadOnlyList<MemoryMapping> mappings, int i)
    {
        var m = mappings[i];
        if (m.Path.Length != 0)
        {
            return false;
        }
        if (m.Start % ArenaSize == 0 && m.Permissions.StartsWith("rw", StringComparison.Ordinal))
        {
            return m.End - m.Start == ArenaSize
                || (i + 1 < mappings.Count && mappings[i + 1].Start == m.End && mappings[i + 1].End - m.Start == ArenaSize
                    && mappings[i + 1].Permissions.StartsWith("---", StringComparison.Ordinal));
        }
        return false;
    }
}
