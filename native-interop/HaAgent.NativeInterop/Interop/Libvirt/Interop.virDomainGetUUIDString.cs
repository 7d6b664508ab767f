using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>36 characters plus the terminating NUL.</summary>
        internal const int VIR_UUID_STRING_BUFLEN = 36 + 1;

        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetUUIDString")]
        internal static unsafe partial int virDomainGetUUIDString(SafeVirDomainHandle domain, byte* buf);

        /// <summary>Raw overload for the event callback (borrowed pointer); formats a field of the object, no I/O.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetUUIDString")]
        internal static unsafe partial int virDomainGetUUIDString(nint domain, byte* buf);
    }
}
