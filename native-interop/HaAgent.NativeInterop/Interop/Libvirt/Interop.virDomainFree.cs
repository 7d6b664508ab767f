using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        /// <summary>Drops one reference; only SafeVirDomainHandle.ReleaseHandle calls it.</summary>
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainFree")]
        internal static partial int virDomainFree(nint domain);
    }
}
