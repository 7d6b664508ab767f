using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Raw overload: only <see cref="SafeRadosIoCtxHandle.ReleaseHandle"/> calls it, while the cluster is still referenced.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_ioctx_destroy")]
        internal static partial void rados_ioctx_destroy(nint io);
    }
}
