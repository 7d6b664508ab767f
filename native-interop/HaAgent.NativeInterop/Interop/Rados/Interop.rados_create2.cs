using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>
        /// Creates an unconnected cluster handle. <paramref name="clustername"/> picks the conf sections ("ceph"),
        /// <paramref name="name"/> is the full cephx entity ("client.fencer").
        /// </summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_create2", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_create2(out SafeRadosClusterHandle pcluster, string clustername, string name, ulong flags);
    }
}
