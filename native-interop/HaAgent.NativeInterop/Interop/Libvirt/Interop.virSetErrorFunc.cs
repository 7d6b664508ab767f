using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>
        /// Process-wide. Without a handler libvirt prints every error to stderr; with one it calls the handler
        /// instead, and the error is still stored for virGetLastError.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virSetErrorFunc")]
        internal static unsafe partial void virSetErrorFunc(nint userData, delegate* unmanaged<nint, nint, void> handler);
    }
}
