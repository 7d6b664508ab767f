using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>The caller must hand a reference on <paramref name="cluster"/> to the new ioctx (see SafeRadosIoCtxHandle).</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_ioctx_create", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_ioctx_create(SafeRadosClusterHandle cluster, string pool_name, out SafeRadosIoCtxHandle ioctx);
    }
}
