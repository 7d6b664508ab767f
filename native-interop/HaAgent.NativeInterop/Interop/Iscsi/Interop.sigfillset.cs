using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "sigfillset")]
        internal static unsafe partial int sigfillset(sigset_t* set);
    }
}
