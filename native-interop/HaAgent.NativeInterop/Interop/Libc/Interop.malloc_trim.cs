using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// glibc malloc_trim(3): gives free memory of every malloc arena back to the kernel (the top of each heap, and
        /// since glibc 2.8 whole free pages inside it); <paramref name="pad"/> bytes are kept at the top of the main heap.
        /// Returns 1 when some memory was released, 0 otherwise.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "malloc_trim")]
        internal static partial int malloc_trim(nuint pad);
    }
}
