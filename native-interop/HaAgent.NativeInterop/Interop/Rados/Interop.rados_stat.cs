using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Rados
    {
        /// <summary><paramref name="pmtime"/> is a time_t: seconds since the epoch, 64-bit on x86_64.</summary>
        [LibraryImport(Libraries.Rados, EntryPoint = "rados_stat", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rados_stat(SafeRadosIoCtxHandle io, string o, out ulong psize, out long pmtime);
    }
}
