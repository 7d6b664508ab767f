using System.IO.MemoryMappedFiles;
using HaAgent.NativeInterop.Memory;
using HaAgent.Testing;
using Xunit.Abstractions;

namespace HaAgent.NativeInterop.Tests.Memory;

/// <summary>
/// The agent pages out the file pages only its start-up touched. What it relies on: the pages really leave its
/// resident set, nothing it reads afterwards differs, and bytes it wrote into a private mapping survive.
/// </summary>
public sealed class ProcessMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int FileSize = 4 << 20;
    private readonly TempDirectory _directory = new("process-memory");

    [SkippableFact]
    public void PageOut_TouchedFileMapping_RssFallsAndContentReadsBackIdentically()
    {
        using var mapped = MapAndReadRandomFile();
        var (path, content, view) = (mapped.Path, mapped.Content, mapped.View);
        var read = new byte[FileSize];
        var touched = Mapping(path);
        Assert.True(touched.Rss >= FileSize * 9L / 10, $"after reading every page {touched.Rss} bytes resident");

        Assert.True(ProcessMemory.PageOut(touched));

        var trimmed = Mapping(path);
        output.WriteLine($"resident {touched.Rss / 1024} KiB -> {trimmed.Rss / 1024} KiB");
        Assert.True(trimmed.Rss <= FileSize / 10, $"after the page-out {trimmed.Rss} bytes still resident");
        view.ReadArray(0, read, 0, FileSize);
        Assert.Equal(content, read);
    }

    [SkippableFact]
    public void PageOut_WrittenPrivateMapping_KeepsWrittenBytesAndLeavesFileUnchanged()
    {
        var path = WriteRandomFile(out var content);
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.CopyOnWrite);
        using var view = file.CreateViewAccessor(0, FileSize, MemoryMappedFileAccess.CopyOnWrite);
        // Every 4th page written (copied on write: anonymous now), then every page read (the rest: clean page cache).
        var expected = (byte[])content.Clone();
        for (var offset = 0; offset < FileSize; offset += 4 * Environment.SystemPageSize)
        {
            expected[offset] ^= 0xff;
            view.Write(offset, expected[offset]);
        }
        var read = new byte[FileSize];
        view.ReadArray(0, read, 0, FileSize);
        Assert.Equal(expected, read);
        var before = Mapping(path);
        Assert.True(before.Anonymous >= FileSize / 4 - Environment.SystemPageSize, $"written pages are anonymous: {before.Anonymous}");

        Assert.True(ProcessMemory.PageOut(before));

        var after = Mapping(path);
        output.WriteLine($"resident {before.Rss / 1024} KiB (anon {before.Anonymous / 1024}) -> {after.Rss / 1024} KiB (anon {after.Anonymous / 1024})");
        Assert.True(after.Rss < before.Rss, "the clean pages left");
        view.ReadArray(0, read, 0, FileSize);
        Assert.Equal(expected, read);
        Assert.Equal(content, File.ReadAllBytes(path));
    }

    [SkippableFact]
    public void PageOut_ThroughAPidfd_ReclaimsThatProcesssMapping()
    {
        Requires.Root();
        using var mapped = MapAndReadRandomFile();
        var (path, content, view) = (mapped.Path, mapped.Content, mapped.View);
        var read = new byte[FileSize];
        using var self = Processes.PidFd.Open(Environment.ProcessId);

        var advised = ProcessMemory.PageOut(self, [Mapping(path)]);

        Assert.Equal(FileSize, advised);
        Assert.True(Mapping(path).Rss <= FileSize / 10, $"{Mapping(path).Rss} bytes still resident");
        view.ReadArray(0, read, 0, FileSize);
        Assert.Equal(content, read);
    }

    [SkippableFact]
    public void AdviseRandomAccess_AfterPageOut_OneTouchedPageComesBackAlone()
    {
        using var mapped = MapAndReadRandomFile();
        var (path, content, view) = (mapped.Path, mapped.Content, mapped.View);
        var read = new byte[FileSize];
        Assert.True(ProcessMemory.AdviseRandomAccess(Mapping(path)));
        Assert.True(ProcessMemory.PageOut(Mapping(path)));

        var middle = FileSize / 2 + 123;
        var value = view.ReadByte(middle);

        // Without the advice the fault reads around it and maps the neighbours too (64 KiB and more).
        var resident = Mapping(path).Rss;
        output.WriteLine($"one byte read after the page-out: {resident / 1024} KiB resident");
        Assert.Equal(content[middle], value);
        Assert.True(resident <= 2 * Environment.SystemPageSize, $"{resident} bytes resident after touching one page");
    }

    [SkippableFact]
    public async Task DropCachedPages_ReadFile_LeavesThePageCacheAndStillReadsTheSame()
    {
        Requires.Tools("util-linux", "fincore");
        var path = WriteRandomFile(out var content);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.True(await CachedBytesAsync(path) >= FileSize * 9L / 10, "a file just read is cached");

        ProcessMemory.DropCachedPages(path);

        Assert.True(await CachedBytesAsync(path) <= FileSize / 10, "dropped from the page cache");
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public void DropCachedPages_MissingFile_Throws() =>
        Assert.ThrowsAny<IOException>(() => ProcessMemory.DropCachedPages(_directory.File("missing")));

    [Fact]
    public void ReadResident_ThisProcess_SplitAddsUpAndPssWithinRss()
    {
        var resident = ProcessMemory.ReadResident();

        Assert.Equal(resident.Rss, resident.Anonymous + resident.File + resident.Shmem);
        Assert.InRange(resident.Pss, 1, resident.Rss);
        Assert.InRange(resident.Private, 1, resident.Rss);
    }

    [Fact]
    public void ReadMappings_ThisProcess_FindsItsOwnCodeAndHeap()
    {
        var mappings = ProcessMemory.ReadMappings();

        var libc = mappings.Where(m => m.Owner.StartsWith("libc.so", StringComparison.Ordinal)).ToArray();
        Assert.Contains(libc, m => m.IsExecutable && m.IsFileBacked && m.IsPrivate && !m.IsWritable && m.Rss > 0);
        Assert.All(mappings, m => Assert.True(m.Start < m.End));
        Assert.Contains(mappings, m => m.Owner == "[stack]");
    }

    [Fact]
    public void Parse_SmapsText_ReadsRangesPathsAndSizesInBytes()
    {
        const string Smaps = """
            55d0c0a00000-55d0c0b00000 r-xp 00001000 fd:00 1234567                    /usr/lib/x86_64-linux-gnu/lib with space.so.1
            Size:               1024 kB
            Rss:                 512 kB
            Pss:                 128 kB
            Shared_Clean:        384 kB
            Shared_Dirty:          0 kB
            Private_Clean:       128 kB
            Private_Dirty:         0 kB
            Anonymous:             0 kB
            Swap:                  0 kB
            VmFlags: rd ex mr mw me sd
            7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0                          [stack]
            Rss:                  12 kB
            Private_Dirty:        12 kB
            Anonymous:            12 kB
            7f0000000000-7f0000001000 rw-p 00000000 00:00 0 
            Rss:                   4 kB
            """;

        var mappings = ProcessMemory.Parse(new StringReader(Smaps));

        Assert.Equal(3, mappings.Count);
        var library = mappings[0];
        Assert.Equal((0x55d0c0a00000UL, 0x55d0c0b00000UL, "r-xp", 0x1000UL, 1234567UL), (library.Start, library.End, library.Permissions, library.Offset, library.Inode));
        Assert.Equal("/usr/lib/x86_64-linux-gnu/lib with space.so.1", library.Path);
        Assert.Equal("lib with space.so.1", library.Owner);
        Assert.Equal((512 * 1024L, 128 * 1024L, 128 * 1024L, 384 * 1024L), (library.Rss, library.Pss, library.Private, library.SharedClean));
        Assert.True(library.IsFileBacked);
        Assert.Equal(("[stack]", 12 * 1024L, 12 * 1024L, false), (mappings[1].Owner, mappings[1].Anonymous, mappings[1].PrivateDirty, mappings[1].IsFileBacked));
        Assert.Equal(("[anon]", 4096L), (mappings[2].Owner, mappings[2].Rss));
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>A file of random bytes, written to disk (fsync): dirty page-cache pages are not reclaimed by a page-out.</summary>
    private string WriteRandomFile(out byte[] content)
    {
        Skip.If(OnTmpfs(_directory.Path), $"{_directory.Path} is on tmpfs: its pages are shared memory, reclaimable only into swap");
        content = new byte[FileSize];
        Random.Shared.NextBytes(content);
        var path = _directory.File("mapped.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        return path;
    }

    /// <summary>A random file on disk, mapped read-only and read through once (every page resident).</summary>
    private MappedFile MapAndReadRandomFile()
    {
        var path = WriteRandomFile(out var content);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, FileSize, MemoryMappedFileAccess.Read);
        view.ReadArray(0, new byte[FileSize], 0, FileSize);
        return new MappedFile(path, content, file, view);
    }

    private sealed record MappedFile(string Path, byte[] Content, MemoryMappedFile File, MemoryMappedViewAccessor View) : IDisposable
    {
        public void Dispose()
        {
            View.Dispose();
            File.Dispose();
        }
    }

    private static async Task<long> CachedBytesAsync(string path)
    {
        var result = (await ProcessRunner.RunAsync("fincore", ["--bytes", "--noheadings", "--output", "RES", path], TimeSpan.FromSeconds(10))).EnsureSuccess("fincore");
        return long.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static MemoryMapping Mapping(string path) => Assert.Single(ProcessMemory.ReadMappings(), m => m.Path == path);

    private static bool OnTmpfs(string path)
    {
        var best = (Length: -1, Type: "");
        foreach (var fields in File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2))
        {
            var mountPoint = fields[1].Replace("\\040", " ", StringComparison.Ordinal);
            if ((path == mountPoint || path.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal)) && mountPoint.Length > best.Length)
            {
                best = (mountPoint.Length, fields[2]);
            }
        }
        return best.Type is "tmpfs" or "ramfs";
    }
}
