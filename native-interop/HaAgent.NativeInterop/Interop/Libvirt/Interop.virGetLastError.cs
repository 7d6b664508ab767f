using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>struct _virError from virterror.h (x86_64 and aarch64 LP64 layout).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct virError
        {
            internal int code;
            internal int domain;
            internal nint message;
            internal int level;
            internal nint conn;
            internal nint dom;
            internal nint str1;
            internal nint str2;
            internal nint str3;
            internal int int1;
            internal int int2;
            internal nint net;
        }

        /// <summary>
        /// The calling thread's last error, owned by libvirt (do not free), or null. Thread-local: read it on the
        /// thread of the failing call, before any other libvirt call there.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virGetLastError")]
        internal static unsafe partial virError* virGetLastError();
    }
}
