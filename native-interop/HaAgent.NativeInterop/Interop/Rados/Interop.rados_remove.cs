using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_remove", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_remove(SafeRadosIoCtxHandle io, string oid);
    }
}
