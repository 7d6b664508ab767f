using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>process_madvise(2) is syscall 440 on every Linux architecture (Linux ≥ 5.10); glibc wraps it only from 2.36.</summary>
        internal const nint SYS_process_madvise = 440;

        // struct iovec keeps its C spelling, which C# reserves for future keywords.
#pragma warning disable CS8981
        [StructLayout(LayoutKind.Sequential)]
        internal struct iovec
        {
            public nint iov_base;
            public nuint iov_len;
        }
#pragma warning restore CS8981

        /// <summary>
        /// <c>syscall(SYS_process_madvise, pidfd, iovec, vlen, advice, 0)</c>: madvise on another process's ranges
        /// (MADV_COLD/PAGEOUT/WILLNEED/COLLAPSE only); needs PTRACE_MODE_READ on it and CAP_SYS_NICE. Returns the bytes advised.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial nint process_madvise(nint number, SafePidfdHandle pidfd, iovec* vectors, nuint count, int advice, uint flags);
    }
}
