using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Blocks until authenticated with a mon or client_mount_timeout passes (then -ETIMEDOUT).</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_connect")]
        internal static partial int rados_connect(SafeRadosClusterHandle cluster);
    }
}
