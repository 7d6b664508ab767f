using System.Runtime.InteropServices;

namespace HaAgent.NativeInterop;

internal static partial class Interop
{
    internal static partial class Libvirt
    {
        [LibraryImport(Libraries.Libvirt, EntryPoint = "virDomainDestroy")]
        internal static partial int virDomainDestroy(SafeVirDomainHandle domain);
    }
}
