using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "sigdelset")]
        internal static unsafe partial int sigdelset(sigset_t* set, int signum);
    }
}
