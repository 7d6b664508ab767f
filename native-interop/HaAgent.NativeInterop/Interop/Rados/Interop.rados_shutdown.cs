using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Raw overload: only <see cref="SafeRadosClusterHandle.ReleaseHandle"/> calls it; valid on connected and unconnected handles.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_shutdown")]
        internal static partial void rados_shutdown(nint cluster);
    }
}
