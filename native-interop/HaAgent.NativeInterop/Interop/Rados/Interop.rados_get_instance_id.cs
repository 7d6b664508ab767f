using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>The global id the mon gave this client (client.NNNN in mon sessions); 0 before connect.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_get_instance_id")]
        internal static partial ulong rados_get_instance_id(SafeRadosClusterHandle cluster);
    }
}
