using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>pidfd_send_signal(2) is syscall 424 on every Linux architecture.</summary>
        internal const nint SYS_pidfd_send_signal = 424;

        internal const int SIGKILL = 9;

        /// <summary>
        /// <c>syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0)</c>: signals exactly the process the pidfd refers to,
        /// never a later process that reused its PID.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static partial nint pidfd_send_signal(nint number, SafePidfdHandle pidfd, int sig, nint info, uint flags);
    }
}
