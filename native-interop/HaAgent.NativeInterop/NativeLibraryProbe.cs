using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

/// <summary>
/// Says whether a native library HaAgent binds to can be loaded here, so a daemon can report a missing package
/// and a test can skip with the reason, without either touching native code itself.
/// </summary>
public static class NativeLibraryProbe
{
    public static bool CanLoad(string soname)
    {
        ArgumentException.ThrowIfNullOrEmpty(soname);
        if (!NativeLibrary.TryLoad(soname, out var handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }
}
