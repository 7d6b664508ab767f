using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>Drop the range's clean page-cache pages that no process maps (dirty ones are written back first only by the flusher).</summary>
        internal const int POSIX_FADV_DONTNEED = 4;

        /// <summary>posix_fadvise(3): returns 0 or an errno value (it does not set errno).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "posix_fadvise64")]
        internal static partial int posix_fadvise(SafeFileHandle fd, long offset, long length, int advice);
    }
}
