using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>The string belongs to the domain object: copy it, never free it.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetName")]
        internal static partial nint virDomainGetName(SafeVirDomainHandle domain);

        /// <summary>
        /// Raw overload for the event callback, which gets a borrowed virDomainPtr valid only while it runs.
        /// Reads a field of the object; no I/O.
        /// </summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainGetName")]
        internal static partial nint virDomainGetName(nint domain);
    }
}
