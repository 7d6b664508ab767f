namespace HaAgent.Testing.Lab;

/// <summary>
/// libvirtd probes QEMU's capabilities on its first connection (~8 s of CPU here). Every lab host runs the same QEMU
/// and libvirtd binaries, so the probe result of one host is copied into the others' cache and kept for later labs;
/// libvirtd validates a cache entry itself (binary ctimes, kernel, microcode) and probes again when it is stale.
/// </summary>
public static class QemuCapabilityCache
{
    /// <summary>Shared between labs (and runs) on this machine.</summary>
    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), "haagent-lab-qemu-capabilities");

    /// <summary>libvirtd's cache folder below /var/cache/libvirt.</summary>
    public const string RelativePath = "qemu/capabilities";

    public static bool IsSeeded => System.IO.Directory.Exists(Directory) && System.IO.Directory.EnumerateFiles(Directory, "*.xml").Any();

    /// <summary>Copies the shared entries into a host's (bind-mounted) /var/cache/libvirt.</summary>
    public static void SeedInto(string libvirtCacheDirectory)
    {
        if (!IsSeeded)
        {
            return;
        }
        var target = Path.Combine(libvirtCacheDirectory, RelativePath);
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.xml"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>Keeps a host's freshly probed entries; a rename makes the swap atomic for labs starting meanwhile.</summary>
    public static void SaveFrom(string libvirtCacheDirectory)
    {
        var source = Path.Combine(libvirtCacheDirectory, RelativePath);
        if (IsSeeded || !System.IO.Directory.Exists(source) || !System.IO.Directory.EnumerateFiles(source, "*.xml").Any())
        {
            return;
        }
        var staging = Directory + "." + Guid.NewGuid().ToString("N")[..8];
        System.IO.Directory.CreateDirectory(staging);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*.xml"))
        {
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        }
        try
        {
            System.IO.Directory.Move(staging, Directory);
        }
        catch (IOException)
        {
            System.IO.Directory.Delete(staging, recursive: true); // another lab saved first
        }
    }
}
