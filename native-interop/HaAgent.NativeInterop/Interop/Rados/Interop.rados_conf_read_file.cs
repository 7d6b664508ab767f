using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_conf_read_file", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_conf_read_file(SafeRadosClusterHandle cluster, string path);
    }
}
