using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary>Returns the number of bytes read (short at end of object) or a negative errno.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_read", StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int rados_read(SafeRadosIoCtxHandle io, string oid, byte* buf, nuint len, ulong off);
    }
}
