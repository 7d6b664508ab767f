using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_write", StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int rados_write(SafeRadosIoCtxHandle io, string oid, byte* buf, nuint len, ulong off);
    }
}
