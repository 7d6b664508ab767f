using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// Reclaim the range's pages now (Linux ≥ 5.4): clean file pages leave the page cache when no other process maps
        /// them, dirty shared ones are written back first; anonymous pages go to swap, or stay when there is none.
        /// Pages another process also maps are skipped. A hint: no content is ever lost, a later access faults it back.
        /// </summary>
        internal const int MADV_PAGEOUT = 21;

        /// <summary>Expect page references in random order: a fault reads only the faulting page, no read-around.</summary>
        internal const int MADV_RANDOM = 1;

        /// <summary>madvise(2). <paramref name="address"/> must be page-aligned.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "madvise", SetLastError = true)]
        internal static partial int madvise(nint address, nuint length, int advice);
    }
}
