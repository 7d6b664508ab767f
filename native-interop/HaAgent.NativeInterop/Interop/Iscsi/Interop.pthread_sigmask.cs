using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    // Lives beside the libiscsi bindings because only they need it: libiscsi's sync event loop treats a poll()
    // interrupted by any signal (EINTR, e.g. SIGCHLD of an exiting child process) as a fatal "Poll failed".
    internal static partial class Libc
    {
        internal const int SIG_BLOCK = 0;
        internal const int SIG_SETMASK = 2;

        /// <summary>glibc's sigset_t: 1024 bits.</summary>
        [InlineArray(16)]
        internal struct sigset_t
        {
            private ulong _element;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "pthread_sigmask")]
        internal static unsafe partial int pthread_sigmask(int how, sigset_t* set, sigset_t* oldset);
    }
}
