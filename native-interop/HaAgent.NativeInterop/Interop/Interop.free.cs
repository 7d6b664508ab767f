using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>Strings some libraries hand over (rados_getaddrs, virDomainGetXMLDesc) are released with plain free().</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "free")]
        internal static partial void free(nint ptr);
    }
}
