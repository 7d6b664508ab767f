namespace HaAgent.NativeInterop.Memory;

/// <summary>
/// One mapping of a process's address space as /proc/PID/smaps shows it. Sizes are in bytes; the resident figures
/// are the kernel's at the moment of reading.
/// </summary>
/// <param name="Path">The mapped file's path, a kernel name such as <c>[heap]</c> or <c>[stack]</c>, or empty for an anonymous mapping.</param>
/// <param name="Permissions">As in maps: <c>r-xp</c>, <c>rw-s</c>...; the fourth letter says private (p) or shared (s).</param>
public sealed record MemoryMapping(
    ulong Start,
    ulong End,
    string Permissions,
    ulong Offset,
    ulong Inode,
    string Path,
    long Rss,
    long Pss,
    long SharedClean,
    long SharedDirty,
    long PrivateClean,
    long PrivateDirty,
    long Anonymous,
    long Swap)
{
    public long Size => (long)(End - Start);

    /// <summary>Backed by a file on disk (not anonymous memory, not a kernel area, not a deleted file's memfd-style name).</summary>
    public bool IsFileBacked => Inode != 0 && Path.StartsWith('/');

    public bool IsPrivate => Permissions.Length >= 4 && Permissions[3] == 'p';

    public bool IsWritable => Permissions.Length >= 2 && Permissions[1] == 'w';

    public bool IsExecutable => Permissions.Length >= 3 && Permissions[2] == 'x';

    /// <summary>Pages no other process maps.</summary>
    public long Private => PrivateClean + PrivateDirty;

    /// <summary>Resident file pages (not copied-on-write into anonymous memory).</summary>
    public long FileResident => Rss - Anonymous;

    /// <summary>Who the memory belongs to for a breakdown: the file name, the kernel's name (<c>[heap]</c>), or <c>[anon]</c>.</summary>
    public string Owner => Path.Length == 0 ? "[anon]" : Path.StartsWith('/') ? System.IO.Path.GetFileName(Path) : Path;
}
