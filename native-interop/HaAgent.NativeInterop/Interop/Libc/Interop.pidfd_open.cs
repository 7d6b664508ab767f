using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>pidfd_open(2) is syscall 434 on every Linux architecture; glibc wraps it only from 2.36 (RHEL 9 has 2.34).</summary>
        internal const nint SYS_pidfd_open = 434;

        /// <summary>
        /// <c>syscall(SYS_pidfd_open, pid, flags)</c>: a file descriptor that refers to the process and becomes readable when
        /// it exits. glibc's syscall() is an assembly register shuffle, so calling it with integer arguments through a
        /// non-variadic signature is safe on x86_64 and aarch64.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static partial nint pidfd_open(nint number, int pid, uint flags);
    }
}
